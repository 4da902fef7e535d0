/* test-store.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The message store: files and permissions, accounts, folders, messages,
 * bodies, search, POP3 UIDLs, pending operations, outbox, pins, and the
 * asynchronous API. Each test gets a fresh directory and store. */

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include "buzon-store-private.h"
#include "store-test-util.h"

typedef struct
{
  char       *dir;
  char       *path;
  BuzonStore *store;
  gint64      account_id;
  gint64      inbox_id;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = store_test_make_dir ();
  fixture->path = g_build_filename (fixture->dir, "buzon.db", NULL);
  fixture->store = buzon_store_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->store);
}

/* Set-up with an account "work" and its folder "INBOX". */
static void
fixture_set_up_mail (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonAccount) account = NULL;
  g_autoptr(BuzonFolder) inbox = buzon_folder_new ();

  fixture_set_up (fixture, data);

  account = store_test_account ("work");
  g_assert_true (buzon_store_add_account (fixture->store, account, &error));
  g_assert_no_error (error);
  fixture->account_id = buzon_account_get_id (account);

  inbox->account_id = fixture->account_id;
  inbox->name = g_strdup ("INBOX");
  inbox->delimiter = g_strdup ("/");
  inbox->special_use = BUZON_SPECIAL_USE_INBOX;
  g_assert_true (buzon_store_upsert_folder (fixture->store, inbox, &error));
  g_assert_no_error (error);
  fixture->inbox_id = inbox->id;
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_pointer (&fixture->store, store_test_drop);
  store_test_rm_rf (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

static gint64
add_folder (Fixture    *fixture,
            const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonFolder) folder = buzon_folder_new ();

  folder->account_id = fixture->account_id;
  folder->name = g_strdup (name);
  folder->delimiter = g_strdup ("/");
  g_assert_true (buzon_store_upsert_folder (fixture->store, folder, &error));
  g_assert_no_error (error);

  return folder->id;
}

/* Adds @n messages to @folder_id with UIDs from @first_uid, dated a day apart. */
static GArray *
add_messages (Fixture *fixture,
              gint64   folder_id,
              guint32  first_uid,
              guint    n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) batch = store_test_batch_new ();
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *subject = g_strdup_printf ("Message %u", first_uid + i);

      g_ptr_array_add (batch, store_test_summary (folder_id, first_uid + i, subject,
                                                  "Bob <bob@example.org>",
                                                  1700000000 + (gint64)(first_uid + i) * 86400));
    }

  g_assert_true (buzon_store_upsert_messages (fixture->store, batch, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < n; i++)
    {
      BuzonMessageSummary *summary = g_ptr_array_index (batch, i);

      g_assert_cmpint (summary->id, >, 0);
      g_array_append_val (ids, summary->id);
    }

  return ids;
}

static BuzonFolder *
get_folder (Fixture *fixture,
            gint64   folder_id)
{
  g_autoptr(GError) error = NULL;
  BuzonFolder *folder = buzon_store_get_folder (fixture->store, folder_id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (folder);

  return folder;
}

static void
assert_counts (Fixture *fixture,
               gint64   folder_id,
               guint    total,
               guint    unread)
{
  g_autoptr(BuzonFolder) folder = get_folder (fixture, folder_id);

  g_assert_cmpuint (folder->total_count, ==, total);
  g_assert_cmpuint (folder->unread_count, ==, unread);
}

/* Files */

static guint
file_mode (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);

  return st.st_mode & 0777;
}

static void
test_open_default_path (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonStore) store = NULL;
  g_autofree char *path = buzon_store_default_path ();
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "buzon", "buzon.db", NULL);
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpstr (path, ==, expected);

  /* An existing default directory that is too open gets tightened. */
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_cmpint (g_chmod (dir, 0755), ==, 0);

  store = buzon_store_open (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (buzon_store_get_path (store), ==, path);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (file_mode (dir), ==, 0700);
  g_assert_cmpuint (file_mode (path), ==, 0600);

  store_test_drop (g_steal_pointer (&store));
}

static void
test_open_permissions (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonAccount) account = store_test_account ("perm");
  g_autofree char *nested = g_build_filename (fixture->dir, "a", "b", NULL);
  g_autofree char *path = g_build_filename (nested, "buzon.db", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_autofree char *stale = g_build_filename (fixture->dir, "stale.db", NULL);
  g_autofree char *stale_wal = g_strconcat (stale, "-wal", NULL);
  BuzonStore *store;
  mode_t old_umask;

  /* The most permissive umask: the store must not depend on it. */
  old_umask = umask (0);

  store = buzon_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (buzon_store_add_account (store, account, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (file_mode (nested), ==, 0700);
  g_assert_cmpuint (file_mode (path), ==, 0600);
  g_assert_cmpuint (file_mode (wal), ==, 0600);
  g_assert_cmpuint (file_mode (shm), ==, 0600);

  store_test_drop (store);

  /* Files an older program left world-readable are made private; a
   * directory we did not create is left alone. */
  g_assert_true (g_file_set_contents (stale, "", 0, NULL));
  g_assert_cmpint (g_chmod (stale, 0644), ==, 0);
  g_assert_true (g_file_set_contents (stale_wal, "", 0, NULL));
  g_assert_cmpint (g_chmod (stale_wal, 0644), ==, 0);
  g_assert_cmpint (g_chmod (fixture->dir, 0755), ==, 0);

  store = buzon_store_open (stale, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (file_mode (stale), ==, 0600);
  g_assert_cmpuint (file_mode (stale_wal), ==, 0600);
  g_assert_cmpuint (file_mode (fixture->dir), ==, 0755);
  store_test_drop (store);

  umask (old_umask);
}

static gint64
pragma_int (sqlite3    *db,
            const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  return value;
}

static void
test_open_pragmas (Fixture       *fixture,
                   gconstpointer  data)
{
  BuzonStore *store = fixture->store;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (store->writer.db, "PRAGMA journal_mode", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *)sqlite3_column_text (stmt, 0), ==, "wal");
  sqlite3_finalize (stmt);

  g_assert_cmpint (pragma_int (store->writer.db, "PRAGMA foreign_keys"), ==, 1);
  g_assert_cmpint (pragma_int (store->reader.db, "PRAGMA foreign_keys"), ==, 1);
  g_assert_cmpint (pragma_int (store->writer.db, "PRAGMA synchronous"), ==, 1); /* NORMAL */
  g_assert_cmpint (pragma_int (store->reader.db, "PRAGMA synchronous"), ==, 1);
  g_assert_cmpint (pragma_int (store->reader.db, "PRAGMA query_only"), ==, 1);
  g_assert_cmpint (pragma_int (store->writer.db, "PRAGMA busy_timeout"), >, 0);
  g_assert_cmpint (pragma_int (store->reader.db, "PRAGMA busy_timeout"), >, 0);
  g_assert_cmpint (pragma_int (store->writer.db, "PRAGMA application_id"), ==,
                   BUZON_STORE_APPLICATION_ID);
}

/* Accounts */

static BuzonAccount *
full_account (const char *name)
{
  BuzonAccount *account = buzon_account_new (name);

  buzon_account_set_display_name (account, "Núria Puig");
  buzon_account_set_address (account, "nuria@example.cat");
  buzon_account_set_protocol (account, BUZON_PROTOCOL_POP3);
  buzon_account_set_host (account, "pop.example.cat");
  buzon_account_set_port (account, 1995);
  buzon_account_set_security (account, BUZON_SECURITY_STARTTLS);
  buzon_account_set_username (account, "nuria.puig");
  buzon_account_set_password_command (account, "pass show mail/nuria");
  buzon_account_set_pop3_mode (account, BUZON_POP3_MODE_KEEP_DAYS);
  buzon_account_set_pop3_keep_days (account, 14);
  buzon_account_set_sync_policy (account, BUZON_SYNC_POLICY_FULL_DAYS);
  buzon_account_set_sync_days (account, 30);
  buzon_account_set_smtp_host (account, "smtp.example.cat");
  buzon_account_set_smtp_port (account, 2525);
  buzon_account_set_smtp_security (account, BUZON_SECURITY_NONE);
  buzon_account_set_smtp_username (account, "nuria-smtp");
  buzon_account_set_save_sent (account, FALSE);
  buzon_account_set_signature (account, "Núria Puig\nTel. 93 000 00 00");

  return account;
}

/* Every property, as set (the raw ports, not the defaults the getters give). */
static void
assert_accounts_equal (BuzonAccount *a,
                       BuzonAccount *b)
{
  g_autofree GParamSpec **pspecs = NULL;
  guint n_pspecs;

  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (a), &n_pspecs);
  g_assert_cmpuint (n_pspecs, >=, 20);

  for (guint i = 0; i < n_pspecs; i++)
    {
      g_auto(GValue) va = G_VALUE_INIT;
      g_auto(GValue) vb = G_VALUE_INIT;

      g_value_init (&va, pspecs[i]->value_type);
      g_value_init (&vb, pspecs[i]->value_type);
      g_object_get_property (G_OBJECT (a), pspecs[i]->name, &va);
      g_object_get_property (G_OBJECT (b), pspecs[i]->name, &vb);

      if (g_param_values_cmp (pspecs[i], &va, &vb) != 0)
        g_error ("Account property “%s” did not round-trip", pspecs[i]->name);
    }
}

static void
test_accounts_round_trip (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonAccount) account = full_account ("personal");
  g_autoptr(BuzonAccount) loaded = NULL;
  g_autoptr(GPtrArray) accounts = NULL;

  g_assert_cmpint (buzon_account_get_id (account), ==, 0);
  g_assert_true (buzon_store_add_account (fixture->store, account, &error));
  g_assert_no_error (error);
  g_assert_cmpint (buzon_account_get_id (account), >, 0);

  loaded = buzon_store_lookup_account (fixture->store, "personal", &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);
  assert_accounts_equal (account, loaded);
  g_assert_cmpuint (buzon_account_get_port (loaded), ==, 1995);
  g_assert_cmpuint (buzon_account_get_smtp_port (loaded), ==, 2525);
  g_assert_cmpstr (buzon_account_get_password_command (loaded), ==, "pass show mail/nuria");

  accounts = buzon_store_list_accounts (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (accounts->len, ==, 1);
  assert_accounts_equal (account, g_ptr_array_index (accounts, 0));
}

static void
test_accounts_defaults (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonAccount) account = store_test_account ("plain");
  g_autoptr(BuzonAccount) loaded = NULL;
  guint port = 1;

  g_assert_true (buzon_store_add_account (fixture->store, account, &error));
  g_assert_no_error (error);

  loaded = buzon_store_lookup_account (fixture->store, "plain", &error);
  g_assert_no_error (error);
  assert_accounts_equal (account, loaded);

  /* Unset ports stay unset (0), and the getters still give the standard ones. */
  g_object_get (loaded, "port", &port, NULL);
  g_assert_cmpuint (port, ==, 0);
  g_assert_cmpuint (buzon_account_get_port (loaded), ==, 993);
  g_assert_cmpuint (buzon_account_get_smtp_port (loaded), ==, 587);

  /* Unset user names still follow the address after the round trip. */
  buzon_account_set_address (loaded, "other@example.com");
  g_assert_cmpstr (buzon_account_get_username (loaded), ==, "other@example.com");
  g_assert_cmpstr (buzon_account_get_smtp_username (loaded), ==, "other@example.com");
}

static void
test_accounts_duplicate (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonAccount) first = store_test_account ("dup");
  g_autoptr(BuzonAccount) second = store_test_account ("dup");
  g_autoptr(GPtrArray) accounts = NULL;

  g_assert_true (buzon_store_add_account (fixture->store, first, &error));
  g_assert_no_error (error);

  g_assert_false (buzon_store_add_account (fixture->store, second, &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, "dup"));
  g_assert_cmpint (buzon_account_get_id (second), ==, 0);
  g_clear_error (&error);

  accounts = buzon_store_list_accounts (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (accounts->len, ==, 1);
}

static void
test_accounts_invalid (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonAccount) account = buzon_account_new ("broken");

  buzon_account_set_address (account, "not an address");
  g_assert_false (buzon_store_add_account (fixture->store, account, &error));
  g_assert_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_INVALID);
}

static void
test_accounts_update (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonAccount) a = store_test_account ("a");
  g_autoptr(BuzonAccount) b = store_test_account ("b");
  g_autoptr(BuzonAccount) loaded = NULL;
  g_autoptr(BuzonAccount) unsaved = store_test_account ("unsaved");
  g_autoptr(GPtrArray) accounts = NULL;

  g_assert_true (buzon_store_add_account (fixture->store, a, &error));
  g_assert_true (buzon_store_add_account (fixture->store, b, &error));
  g_assert_no_error (error);
  g_assert_cmpint (buzon_account_get_id (a), <, buzon_account_get_id (b));

  buzon_account_set_name (a, "renamed");
  buzon_account_set_sync_policy (a, BUZON_SYNC_POLICY_FULL);
  buzon_account_set_smtp_host (a, "smtp.example.com");
  g_assert_true (buzon_store_update_account (fixture->store, a, &error));
  g_assert_no_error (error);

  loaded = buzon_store_lookup_account (fixture->store, "renamed", &error);
  g_assert_no_error (error);
  assert_accounts_equal (a, loaded);
  g_assert_cmpint (buzon_account_get_id (loaded), ==, buzon_account_get_id (a));

  g_assert_null (buzon_store_lookup_account (fixture->store, "a", &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Renaming onto a taken name. */
  buzon_account_set_name (a, "b");
  g_assert_false (buzon_store_update_account (fixture->store, a, &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_EXISTS);
  g_clear_error (&error);

  /* Never stored, and stored but removed meanwhile. */
  g_assert_false (buzon_store_update_account (fixture->store, unsaved, &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (buzon_store_remove_account (fixture->store, "b", &error));
  g_assert_false (buzon_store_update_account (fixture->store, b, &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  accounts = buzon_store_list_accounts (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (accounts->len, ==, 1);
  g_assert_cmpstr (buzon_account_get_name (g_ptr_array_index (accounts, 0)), ==, "renamed");
}

static gint64
count_rows (BuzonStore *store,
            const char *sql)
{
  return pragma_int (store->writer.db, sql);
}

static void
test_accounts_remove_cascades (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(BuzonAccount) other = store_test_account ("other");
  g_autoptr(BuzonPendingOp) op = NULL;
  g_autoptr(BuzonOutboxItem) item = NULL;
  g_autoptr(BuzonMessageSummary) pop = NULL;
  g_autoptr(GBytes) raw = g_bytes_new_static ("Subject: x\r\n\r\nbody\r\n", 20);
  const char *rcpt[] = { "bob@example.org", NULL };
  const char *tables[] = {
    "SELECT count(*) FROM folders", "SELECT count(*) FROM messages",
    "SELECT count(*) FROM message_bodies", "SELECT count(*) FROM pop3_uidls",
    "SELECT count(*) FROM pending_ops", "SELECT count(*) FROM outbox",
    "SELECT count(*) FROM messages_fts",
  };
  /* What the other account has: its inbox and three messages. */
  const gint64 others[G_N_ELEMENTS (tables)] = { 1, 3, 0, 0, 0, 0, 3 };
  gint64 other_folder;

  /* A second account whose data must survive. */
  g_assert_true (buzon_store_add_account (fixture->store, other, &error));
  g_assert_no_error (error);
  {
    g_autoptr(BuzonFolder) folder = buzon_folder_new ();

    folder->account_id = buzon_account_get_id (other);
    folder->name = g_strdup ("INBOX");
    g_assert_true (buzon_store_upsert_folder (fixture->store, folder, &error));
    other_folder = folder->id;
  }
  g_array_unref (add_messages (fixture, other_folder, 1, 3));

  /* Everything for "work". */
  add_folder (fixture, "INBOX/Sub");
  ids = add_messages (fixture, fixture->inbox_id, 1, 5);
  g_assert_true (buzon_store_set_body (fixture->store, g_array_index (ids, gint64, 0), raw,
                                       "body", &error));
  g_assert_no_error (error);

  op = buzon_pending_op_new (fixture->account_id, fixture->inbox_id, "flags", NULL);
  g_assert_true (buzon_store_enqueue_op (fixture->store, op, &error));
  item = buzon_outbox_item_new (fixture->account_id, raw, rcpt);
  g_assert_true (buzon_store_outbox_enqueue (fixture->store, item, &error));
  pop = store_test_summary (fixture->inbox_id, 0, "pop", "x@example.com", 1);
  g_assert_true (buzon_store_pop3_save_message (fixture->store, fixture->account_id, "U1", pop,
                                                raw, NULL, &error));
  g_assert_true (buzon_store_pop3_record_uidl (fixture->store, fixture->account_id, "U2", &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    g_assert_cmpint (count_rows (fixture->store, tables[i]), >, others[i]);

  g_assert_true (buzon_store_remove_account (fixture->store, "work", &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    g_assert_cmpint (count_rows (fixture->store, tables[i]), ==, others[i]);

  g_assert_false (buzon_store_remove_account (fixture->store, "work", &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  assert_counts (fixture, other_folder, 3, 3);
}

static void
count_signal_cb (BuzonStore *store,
                 guint      *count)
{
  (*count)++;
}

static void
test_accounts_signal (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonAccount) account = store_test_account ("signal");
  g_autoptr(BuzonAccount) dup = store_test_account ("signal");
  guint count = 0;

  g_signal_connect (fixture->store, "accounts-changed", G_CALLBACK (count_signal_cb), &count);

  /* Synchronous calls on the store's own thread emit at once. */
  g_assert_true (buzon_store_add_account (fixture->store, account, &error));
  g_assert_cmpuint (count, ==, 1);
  buzon_account_set_display_name (account, "Signal");
  g_assert_true (buzon_store_update_account (fixture->store, account, &error));
  g_assert_cmpuint (count, ==, 2);
  g_assert_no_error (error);

  /* A failed write changes nothing and says nothing. */
  g_assert_false (buzon_store_add_account (fixture->store, dup, &error));
  g_clear_error (&error);
  g_assert_cmpuint (count, ==, 2);

  g_assert_true (buzon_store_remove_account (fixture->store, "signal", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, 3);

  g_signal_handlers_disconnect_by_data (fixture->store, &count);
}

/* Quota */

static void
log_quota_changed_cb (BuzonStore *store,
                      gint64      account_id,
                      GArray     *log)
{
  g_array_append_val (log, account_id);
}

static void
test_accounts_quota (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) log = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(BuzonAccount) other = store_test_account ("other");
  guint64 usage = 1, limit = 1;
  gint64 updated = 1, before;

  g_signal_connect (fixture->store, "quota-changed", G_CALLBACK (log_quota_changed_cb), log);

  /* Unknown until set: FALSE without an error, zeros out. */
  g_assert_false (buzon_store_get_account_quota (fixture->store, fixture->account_id, &usage,
                                                 &limit, &updated, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (usage, ==, 0);
  g_assert_cmpuint (limit, ==, 0);
  g_assert_cmpint (updated, ==, 0);

  /* Bytes in, bytes out; large numbers survive (5 GiB of 10 GiB). */
  before = buzon_store_now ();
  g_assert_true (buzon_store_set_account_quota (fixture->store, fixture->account_id,
                                                G_GUINT64_CONSTANT (5) << 30,
                                                G_GUINT64_CONSTANT (10) << 30, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (log->len, ==, 1);
  g_assert_cmpint (g_array_index (log, gint64, 0), ==, fixture->account_id);
  g_assert_true (buzon_store_get_account_quota (fixture->store, fixture->account_id, &usage,
                                                &limit, &updated, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (usage, ==, G_GUINT64_CONSTANT (5) << 30);
  g_assert_cmpuint (limit, ==, G_GUINT64_CONSTANT (10) << 30);
  g_assert_cmpint (updated, >=, before);
  g_assert_cmpint (updated, <=, buzon_store_now ());

  /* The outputs are optional. */
  g_assert_true (buzon_store_get_account_quota (fixture->store, fixture->account_id, NULL,
                                                NULL, NULL, &error));
  g_assert_no_error (error);

  /* The same numbers again: no signal, the time stays. */
  g_setenv ("BUZON_TEST_NOW", "+100", TRUE);
  g_assert_true (buzon_store_set_account_quota (fixture->store, fixture->account_id,
                                                G_GUINT64_CONSTANT (5) << 30,
                                                G_GUINT64_CONSTANT (10) << 30, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (log->len, ==, 1);
  g_assert_true (buzon_store_get_account_quota (fixture->store, fixture->account_id, NULL,
                                                NULL, &before, &error));
  g_assert_cmpint (before, ==, updated);

  /* New usage: stored, signalled, newer time. */
  g_assert_true (buzon_store_set_account_quota (fixture->store, fixture->account_id,
                                                9000, 10000, &error));
  g_assert_no_error (error);
  g_unsetenv ("BUZON_TEST_NOW");
  g_assert_cmpuint (log->len, ==, 2);
  g_assert_true (buzon_store_get_account_quota (fixture->store, fixture->account_id, &usage,
                                                &limit, &updated, &error));
  g_assert_cmpuint (usage, ==, 9000);
  g_assert_cmpuint (limit, ==, 10000);
  g_assert_cmpint (updated, >=, before + 100);

  /* Each account has its own. */
  g_assert_true (buzon_store_add_account (fixture->store, other, &error));
  g_assert_no_error (error);
  g_assert_false (buzon_store_get_account_quota (fixture->store, buzon_account_get_id (other),
                                                 NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  /* Limit 0 forgets it, as clear does; clearing what is unknown says nothing. */
  g_assert_true (buzon_store_set_account_quota (fixture->store, fixture->account_id, 5, 0,
                                                &error));
  g_assert_no_error (error);
  g_assert_cmpuint (log->len, ==, 3);
  g_assert_false (buzon_store_get_account_quota (fixture->store, fixture->account_id, NULL,
                                                 NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (buzon_store_clear_account_quota (fixture->store, fixture->account_id, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (log->len, ==, 3);

  g_assert_true (buzon_store_set_account_quota (fixture->store, fixture->account_id, 1, 2,
                                                &error));
  g_assert_true (buzon_store_clear_account_quota (fixture->store, fixture->account_id, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (log->len, ==, 5);

  /* An account that does not exist has none to set. */
  g_assert_false (buzon_store_set_account_quota (fixture->store, 999999, 1, 2, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_cmpuint (log->len, ==, 5);

  /* Removing the account removes its quota (the row cascades). */
  g_assert_true (buzon_store_set_account_quota (fixture->store, fixture->account_id, 1, 2,
                                                &error));
  g_assert_true (buzon_store_remove_account (fixture->store, "work", &error));
  g_assert_no_error (error);
  g_assert_false (buzon_store_get_account_quota (fixture->store, fixture->account_id, NULL,
                                                 NULL, NULL, &error));
  g_assert_no_error (error);

  g_signal_handlers_disconnect_by_data (fixture->store, log);
}

/* Folders */

static void
test_folders_hierarchy (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(BuzonFolder) child = buzon_folder_new ();
  g_autoptr(BuzonFolder) parent = buzon_folder_new ();
  g_autoptr(BuzonFolder) again = NULL;
  g_autoptr(BuzonFolder) grandchild = NULL;
  g_autofree char *leaf = NULL;
  gint64 grandchild_id;

  /* Servers may list a child before its parent. */
  child->account_id = fixture->account_id;
  child->name = g_strdup ("Work/2026");
  child->delimiter = g_strdup ("/");
  child->attributes = g_strdup ("\\HasChildren");
  child->uidvalidity = 42;
  g_assert_true (buzon_store_upsert_folder (fixture->store, child, &error));
  g_assert_no_error (error);
  g_assert_cmpint (child->parent_id, ==, 0);
  g_assert_cmpuint (child->uidvalidity, ==, 42);
  g_assert_true (child->subscribed);

  grandchild_id = add_folder (fixture, "Work/2026/Q1");

  parent->account_id = fixture->account_id;
  parent->name = g_strdup ("Work");
  parent->delimiter = g_strdup ("/");
  parent->attributes = g_strdup ("\\Noselect \\HasChildren");
  parent->special_use = BUZON_SPECIAL_USE_ARCHIVE;
  parent->subscribed = FALSE;
  g_assert_true (buzon_store_upsert_folder (fixture->store, parent, &error));
  g_assert_no_error (error);
  g_assert_false (parent->subscribed);

  again = get_folder (fixture, child->id);
  g_assert_cmpint (again->parent_id, ==, parent->id);
  grandchild = get_folder (fixture, grandchild_id);
  g_assert_cmpint (grandchild->parent_id, ==, child->id);
  leaf = buzon_folder_dup_leaf_name (grandchild);
  g_assert_cmpstr (leaf, ==, "Q1");

  g_clear_pointer (&again, buzon_folder_free);
  again = buzon_store_lookup_folder (fixture->store, fixture->account_id, "Work", &error);
  g_assert_no_error (error);
  g_assert_cmpint (again->id, ==, parent->id);
  g_assert_cmpint (again->special_use, ==, BUZON_SPECIAL_USE_ARCHIVE);
  g_assert_true (buzon_folder_has_attribute (again, "\\noselect"));
  g_assert_false (buzon_folder_has_attribute (again, "\\Marked"));
  g_assert_false (again->subscribed);

  /* Upserting again updates in place: same id, new attributes; the sync
   * state is not touched by an upsert. */
  g_free (child->attributes);
  child->attributes = g_strdup ("\\HasNoChildren");
  child->uidvalidity = 99;
  g_assert_true (buzon_store_upsert_folder (fixture->store, child, &error));
  g_assert_no_error (error);
  g_assert_cmpint (child->parent_id, ==, parent->id);
  g_assert_cmpuint (child->uidvalidity, ==, 42);
  g_assert_cmpstr (child->attributes, ==, "\\HasNoChildren");

  folders = buzon_store_list_folders (fixture->store, fixture->account_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (folders->len, ==, 4);
  g_assert_cmpstr (((BuzonFolder *)g_ptr_array_index (folders, 0))->name, ==, "INBOX");
  g_assert_cmpstr (((BuzonFolder *)g_ptr_array_index (folders, 1))->name, ==, "Work");
  g_assert_cmpstr (((BuzonFolder *)g_ptr_array_index (folders, 3))->name, ==, "Work/2026/Q1");
  g_assert_cmpint (((BuzonFolder *)g_ptr_array_index (folders, 0))->special_use, ==,
                   BUZON_SPECIAL_USE_INBOX);

  g_assert_null (buzon_store_lookup_folder (fixture->store, fixture->account_id, "Nope", &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (buzon_store_get_folder (fixture->store, 9999, &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A folder for an account that does not exist. */
  {
    g_autoptr(BuzonFolder) orphan = buzon_folder_new ();

    orphan->account_id = 9999;
    orphan->name = g_strdup ("INBOX");
    g_assert_false (buzon_store_upsert_folder (fixture->store, orphan, &error));
    g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }

  g_assert_cmpint (buzon_special_use_from_string ("\\Sent"), ==, BUZON_SPECIAL_USE_SENT);
  g_assert_cmpint (buzon_special_use_from_string ("junk"), ==, BUZON_SPECIAL_USE_JUNK);
  g_assert_cmpint (buzon_special_use_from_string ("\\Whatever"), ==, BUZON_SPECIAL_USE_NONE);
}

static void
test_folders_rename (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(BuzonFolder) work = NULL;
  g_autoptr(BuzonFolder) year = NULL;
  g_autoptr(BuzonFolder) quarter = NULL;
  gint64 work_id = add_folder (fixture, "Work");
  gint64 year_id = add_folder (fixture, "Work/2026");
  gint64 quarter_id = add_folder (fixture, "Work/2026/Q1");
  gint64 archive_id = add_folder (fixture, "Archive");
  gint64 other_id = add_folder (fixture, "Workshop");

  ids = add_messages (fixture, year_id, 1, 3);

  /* Rename with children. */
  g_assert_true (buzon_store_rename_folder (fixture->store, work_id, "Job", &error));
  g_assert_no_error (error);
  work = get_folder (fixture, work_id);
  year = get_folder (fixture, year_id);
  quarter = get_folder (fixture, quarter_id);
  g_assert_cmpstr (work->name, ==, "Job");
  g_assert_cmpstr (year->name, ==, "Job/2026");
  g_assert_cmpstr (quarter->name, ==, "Job/2026/Q1");
  g_assert_cmpint (quarter->parent_id, ==, year_id);
  assert_counts (fixture, year_id, 3, 3);
  {
    g_autoptr(BuzonFolder) untouched = get_folder (fixture, other_id);

    g_assert_cmpstr (untouched->name, ==, "Workshop");
  }

  /* Move under another parent. */
  g_assert_true (buzon_store_rename_folder (fixture->store, year_id, "Archive/2026", &error));
  g_assert_no_error (error);
  g_clear_pointer (&year, buzon_folder_free);
  g_clear_pointer (&quarter, buzon_folder_free);
  year = get_folder (fixture, year_id);
  quarter = get_folder (fixture, quarter_id);
  g_assert_cmpstr (year->name, ==, "Archive/2026");
  g_assert_cmpint (year->parent_id, ==, archive_id);
  g_assert_cmpstr (quarter->name, ==, "Archive/2026/Q1");

  /* Onto a taken name, and into itself: refused, nothing changed. */
  g_assert_false (buzon_store_rename_folder (fixture->store, work_id, "Workshop", &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_false (buzon_store_rename_folder (fixture->store, year_id, "Archive/2026/Q1/x",
                                             &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_FAILED);
  g_clear_error (&error);
  g_clear_pointer (&work, buzon_folder_free);
  work = get_folder (fixture, work_id);
  g_assert_cmpstr (work->name, ==, "Job");

  g_assert_false (buzon_store_rename_folder (fixture->store, 9999, "X", &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
}

static void
test_folders_delete (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GPtrArray) ops = NULL;
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(BuzonPendingOp) op = NULL;
  gint64 parent_id = add_folder (fixture, "Old");
  gint64 child_id = add_folder (fixture, "Old/Child");

  ids = add_messages (fixture, child_id, 1, 4);
  op = buzon_pending_op_new (fixture->account_id, child_id, "delete-folder",
                             "{\"name\": \"Old/Child\"}");
  g_assert_true (buzon_store_enqueue_op (fixture->store, op, &error));
  g_assert_no_error (error);

  g_assert_true (buzon_store_delete_folder (fixture->store, parent_id, &error));
  g_assert_no_error (error);

  folders = buzon_store_list_folders (fixture->store, fixture->account_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (folders->len, ==, 1);
  g_assert_cmpint (count_rows (fixture->store, "SELECT count(*) FROM messages"), ==, 0);
  g_assert_cmpint (count_rows (fixture->store, "SELECT count(*) FROM messages_fts"), ==, 0);

  /* The pending operation survives, without its folder id. */
  ops = buzon_store_list_ops (fixture->store, fixture->account_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ops->len, ==, 1);
  g_assert_cmpint (((BuzonPendingOp *)g_ptr_array_index (ops, 0))->folder_id, ==, 0);

  g_assert_false (buzon_store_delete_folder (fixture->store, parent_id, &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
}

static void
test_folders_sync_state (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(BuzonFolder) folder = NULL;
  g_autoptr(BuzonPendingOp) op = NULL;
  g_autoptr(GPtrArray) ops = NULL;
  gboolean reset = TRUE;

  ids = add_messages (fixture, fixture->inbox_id, 1, 3);

  g_assert_true (buzon_store_update_folder_sync_state (fixture->store, fixture->inbox_id,
                                                       1000, 4, G_GUINT64_CONSTANT (1) << 40,
                                                       &reset, &error));
  g_assert_no_error (error);
  g_assert_false (reset);
  folder = get_folder (fixture, fixture->inbox_id);
  g_assert_cmpuint (folder->uidvalidity, ==, 1000);
  g_assert_cmpuint (folder->uidnext, ==, 4);
  g_assert_cmpuint (folder->highestmodseq, ==, G_GUINT64_CONSTANT (1) << 40);
  g_assert_cmpuint (folder->total_count, ==, 3);

  /* Same UIDVALIDITY: the cache stays. */
  g_assert_true (buzon_store_update_folder_sync_state (fixture->store, fixture->inbox_id,
                                                       1000, 5, 7, &reset, &error));
  g_assert_false (reset);
  assert_counts (fixture, fixture->inbox_id, 3, 3);

  /* A new UIDVALIDITY drops the cache (RFC 3501 2.3.1.1); pending ops stay. */
  op = buzon_pending_op_new (fixture->account_id, fixture->inbox_id, "flags", NULL);
  g_assert_true (buzon_store_enqueue_op (fixture->store, op, &error));
  g_assert_true (buzon_store_update_folder_sync_state (fixture->store, fixture->inbox_id,
                                                       2000, 1, 0, &reset, &error));
  g_assert_no_error (error);
  g_assert_true (reset);
  g_clear_pointer (&folder, buzon_folder_free);
  folder = get_folder (fixture, fixture->inbox_id);
  g_assert_cmpuint (folder->uidvalidity, ==, 2000);
  g_assert_cmpuint (folder->total_count, ==, 0);
  g_assert_cmpint (count_rows (fixture->store, "SELECT count(*) FROM messages_fts"), ==, 0);
  ops = buzon_store_list_ops (fixture->store, 0, &error);
  g_assert_cmpuint (ops->len, ==, 1);

  g_assert_false (buzon_store_update_folder_sync_state (fixture->store, 9999, 1, 1, 1, NULL,
                                                        &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
}

/* Messages */

static void
test_messages_upsert (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) batch = store_test_batch_new ();
  g_autoptr(GPtrArray) update = store_test_batch_new ();
  g_autoptr(BuzonMessageSummary) loaded = NULL;
  BuzonMessageSummary *full = store_test_summary (fixture->inbox_id, 7, "Hola", "Bob <b@x.org>",
                                                  1700000000);
  BuzonMessageSummary *partial;
  BuzonMessageSummary *local;

  full->in_reply_to = g_strdup ("<parent@x.org>");
  full->references = g_strdup ("<root@x.org> <parent@x.org>");
  full->cc = g_strdup ("carol@x.org");
  full->flags = BUZON_MESSAGE_FLAG_SEEN | BUZON_MESSAGE_FLAG_FLAGGED;
  full->keywords = g_strdup ("$Important work");
  full->has_attachments = TRUE;
  full->preview = g_strdup ("Hola, ¿qué tal?");
  full->body_state = BUZON_BODY_STATE_FULL; /* not honoured: no body yet */
  g_ptr_array_add (batch, full);

  local = store_test_summary (fixture->inbox_id, 0, "Local draft", "me@x.org", 1700000100);
  local->flags = BUZON_MESSAGE_FLAG_DRAFT;
  g_ptr_array_add (batch, local);

  g_assert_true (buzon_store_upsert_messages (fixture->store, batch, &error));
  g_assert_no_error (error);
  g_assert_cmpint (full->id, >, 0);
  g_assert_cmpint (local->id, >, full->id);
  assert_counts (fixture, fixture->inbox_id, 2, 1);

  loaded = buzon_store_get_message (fixture->store, full->id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (loaded->folder_id, ==, fixture->inbox_id);
  g_assert_cmpuint (loaded->uid, ==, 7);
  g_assert_cmpstr (loaded->message_id, ==, full->message_id);
  g_assert_cmpstr (loaded->in_reply_to, ==, "<parent@x.org>");
  g_assert_cmpstr (loaded->references, ==, "<root@x.org> <parent@x.org>");
  g_assert_cmpstr (loaded->subject, ==, "Hola");
  g_assert_cmpstr (loaded->from, ==, "Bob <b@x.org>");
  g_assert_cmpstr (loaded->to, ==, "Ana Pérez <ana@example.es>");
  g_assert_cmpstr (loaded->cc, ==, "carol@x.org");
  g_assert_cmpint (loaded->date, ==, 1700000000);
  g_assert_cmpint (loaded->internal_date, ==, 1700000005);
  g_assert_cmpuint (loaded->size, ==, 1234);
  g_assert_cmpint (loaded->flags, ==, BUZON_MESSAGE_FLAG_SEEN | BUZON_MESSAGE_FLAG_FLAGGED);
  g_assert_cmpstr (loaded->keywords, ==, "$Important work");
  g_assert_true (loaded->has_attachments);
  g_assert_cmpstr (loaded->preview, ==, "Hola, ¿qué tal?");
  g_assert_cmpint (loaded->body_state, ==, BUZON_BODY_STATE_HEADERS);
  g_clear_pointer (&loaded, buzon_message_summary_free);

  loaded = buzon_store_get_message (fixture->store, local->id, &error);
  g_assert_cmpuint (loaded->uid, ==, 0);
  g_clear_pointer (&loaded, buzon_message_summary_free);

  /* A flag change from the server: folder + uid + flags only. It merges. */
  partial = buzon_message_summary_new ();
  partial->folder_id = fixture->inbox_id;
  partial->uid = 7;
  partial->flags = BUZON_MESSAGE_FLAG_ANSWERED;
  g_ptr_array_add (update, partial);
  g_assert_true (buzon_store_upsert_messages (fixture->store, update, &error));
  g_assert_no_error (error);
  g_assert_cmpint (partial->id, ==, full->id);

  loaded = buzon_store_get_message (fixture->store, full->id, &error);
  g_assert_cmpstr (loaded->subject, ==, "Hola");
  g_assert_cmpint (loaded->date, ==, 1700000000);
  g_assert_cmpint (loaded->flags, ==, BUZON_MESSAGE_FLAG_ANSWERED);
  g_assert_null (loaded->keywords);
  g_assert_true (loaded->has_attachments);
  g_assert_cmpint (loaded->body_state, ==, BUZON_BODY_STATE_HEADERS);
  g_clear_pointer (&loaded, buzon_message_summary_free);
  assert_counts (fixture, fixture->inbox_id, 2, 2);

  /* By id: the local message gets its UID once the server has it. */
  local->uid = 8;
  g_free (local->subject);
  local->subject = g_strdup ("Sent draft");
  g_ptr_array_remove_index (update, 0);
  g_ptr_array_add (update, buzon_message_summary_copy (local));
  g_assert_true (buzon_store_upsert_messages (fixture->store, update, &error));
  g_assert_no_error (error);
  loaded = buzon_store_get_message (fixture->store, local->id, &error);
  g_assert_cmpuint (loaded->uid, ==, 8);
  g_assert_cmpstr (loaded->subject, ==, "Sent draft");
  g_clear_pointer (&loaded, buzon_message_summary_free);

  /* A batch with a bad entry stores nothing of it. */
  g_ptr_array_set_size (update, 0);
  g_ptr_array_add (update, store_test_summary (fixture->inbox_id, 100, "ok", "a@b.c", 1));
  g_ptr_array_add (update, store_test_summary (9999, 101, "no such folder", "a@b.c", 1));
  g_assert_false (buzon_store_upsert_messages (fixture->store, update, &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  assert_counts (fixture, fixture->inbox_id, 2, 2);

  g_assert_null (buzon_store_get_message (fixture->store, 9999, &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
}

static void
test_messages_list (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GArray) uids = NULL;
  gint64 other_id = add_folder (fixture, "Other");
  sqlite3_stmt *plan = NULL;
  GString *plan_text = g_string_new (NULL);

  ids = add_messages (fixture, fixture->inbox_id, 1, 50);
  g_array_unref (add_messages (fixture, other_id, 1, 5));

  all = buzon_store_list_messages (fixture->store, fixture->inbox_id, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 50);
  for (guint i = 1; i < all->len; i++)
    {
      BuzonMessageSummary *newer = g_ptr_array_index (all, i - 1);
      BuzonMessageSummary *older = g_ptr_array_index (all, i);

      g_assert_cmpint (newer->date, >, older->date);
    }

  page = buzon_store_list_messages (fixture->store, fixture->inbox_id, 10, 15, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 15);
  for (guint i = 0; i < page->len; i++)
    g_assert_cmpint (((BuzonMessageSummary *)g_ptr_array_index (page, i))->id, ==,
                     ((BuzonMessageSummary *)g_ptr_array_index (all, i + 10))->id);
  g_clear_pointer (&page, g_ptr_array_unref);

  page = buzon_store_list_messages (fixture->store, fixture->inbox_id, 45, 15, &error);
  g_assert_cmpuint (page->len, ==, 5);
  g_clear_pointer (&page, g_ptr_array_unref);
  page = buzon_store_list_messages (fixture->store, fixture->inbox_id, 100, 15, &error);
  g_assert_cmpuint (page->len, ==, 0);

  uids = buzon_store_list_uids (fixture->store, fixture->inbox_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (uids->len, ==, 50);
  for (guint i = 0; i < uids->len; i++)
    g_assert_cmpuint (g_array_index (uids, guint32, i), ==, i + 1);

  /* The page query walks the (folder, date) index: no sort step. */
  g_assert_cmpint (sqlite3_prepare_v2 (fixture->store->reader.db,
                                       "EXPLAIN QUERY PLAN SELECT id FROM messages "
                                       "WHERE folder_id = 1 ORDER BY date DESC, id DESC "
                                       "LIMIT 10 OFFSET 5",
                                       -1, &plan, NULL), ==, SQLITE_OK);
  while (sqlite3_step (plan) == SQLITE_ROW)
    g_string_append_printf (plan_text, "%s\n", sqlite3_column_text (plan, 3));
  sqlite3_finalize (plan);
  g_test_message ("Plan: %s", plan_text->str);
  g_assert_nonnull (strstr (plan_text->str, "messages_folder_date"));
  g_assert_null (strstr (plan_text->str, "TEMP B-TREE"));
  g_string_free (plan_text, TRUE);
}

static void
test_messages_flags (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = add_messages (fixture, fixture->inbox_id, 1, 4);
  g_autoptr(BuzonPendingOp) op = NULL;
  g_autoptr(BuzonPendingOp) peeked = NULL;
  g_autoptr(BuzonMessageSummary) loaded = NULL;
  gint64 some[] = { g_array_index (ids, gint64, 0), g_array_index (ids, gint64, 1), 9999 };

  assert_counts (fixture, fixture->inbox_id, 4, 4);

  op = buzon_pending_op_new (fixture->account_id, fixture->inbox_id, "flags",
                             "{\"uids\": [1, 2], \"add\": \"\\\\Seen\"}");
  g_assert_true (buzon_store_set_flags (fixture->store, some, G_N_ELEMENTS (some),
                                        BUZON_MESSAGE_FLAG_SEEN | BUZON_MESSAGE_FLAG_FLAGGED, 0,
                                        op, &error));
  g_assert_no_error (error);
  g_assert_cmpint (op->id, >, 0);
  assert_counts (fixture, fixture->inbox_id, 4, 2);

  loaded = buzon_store_get_message (fixture->store, some[0], &error);
  g_assert_cmpint (loaded->flags, ==, BUZON_MESSAGE_FLAG_SEEN | BUZON_MESSAGE_FLAG_FLAGGED);
  g_clear_pointer (&loaded, buzon_message_summary_free);

  peeked = buzon_store_peek_op (fixture->store, fixture->account_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (peeked->id, ==, op->id);
  g_assert_cmpstr (peeked->kind, ==, "flags");

  g_assert_true (buzon_store_set_flags (fixture->store, some, 1, 0, BUZON_MESSAGE_FLAG_SEEN,
                                        NULL, &error));
  assert_counts (fixture, fixture->inbox_id, 4, 3);
  loaded = buzon_store_get_message (fixture->store, some[0], &error);
  g_assert_cmpint (loaded->flags, ==, BUZON_MESSAGE_FLAG_FLAGGED);
  g_clear_pointer (&loaded, buzon_message_summary_free);

  /* \Deleted messages do not count as unread. */
  g_assert_true (buzon_store_set_flags (fixture->store, some, 1, BUZON_MESSAGE_FLAG_DELETED, 0,
                                        NULL, &error));
  assert_counts (fixture, fixture->inbox_id, 4, 2);

  /* An operation that is not JSON fails the whole action: flags unchanged. */
  g_clear_pointer (&op, buzon_pending_op_free);
  op = buzon_pending_op_new (fixture->account_id, fixture->inbox_id, "flags", "{not json");
  g_assert_false (buzon_store_set_flags (fixture->store, some, 1, BUZON_MESSAGE_FLAG_SEEN, 0,
                                         op, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_cmpint (op->id, ==, 0);
  loaded = buzon_store_get_message (fixture->store, some[0], &error);
  g_assert_false (loaded->flags & BUZON_MESSAGE_FLAG_SEEN);
}

static void
test_messages_move (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = add_messages (fixture, fixture->inbox_id, 1, 3);
  g_autoptr(BuzonMessageSummary) loaded = NULL;
  g_autoptr(GBytes) raw = g_bytes_new_static ("raw", 3);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(BuzonPendingOp) op = NULL;
  gint64 archive_id = add_folder (fixture, "Archive");
  gint64 first = g_array_index (ids, gint64, 0);

  g_assert_true (buzon_store_set_body (fixture->store, first, raw, NULL, &error));
  g_assert_true (buzon_store_set_flags (fixture->store, &first, 1, BUZON_MESSAGE_FLAG_SEEN, 0,
                                        NULL, &error));

  op = buzon_pending_op_new (fixture->account_id, fixture->inbox_id, "move", NULL);
  g_assert_true (buzon_store_move_messages (fixture->store, &first, 1, archive_id, op, &error));
  g_assert_no_error (error);
  g_assert_cmpint (op->id, >, 0);

  assert_counts (fixture, fixture->inbox_id, 2, 2);
  assert_counts (fixture, archive_id, 1, 0);
  loaded = buzon_store_get_message (fixture->store, first, &error);
  g_assert_cmpint (loaded->folder_id, ==, archive_id);
  g_assert_cmpuint (loaded->uid, ==, 0);
  g_assert_cmpint (loaded->body_state, ==, BUZON_BODY_STATE_FULL);
  body = buzon_store_get_body (fixture->store, first, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (body, raw));

  g_assert_false (buzon_store_move_messages (fixture->store, &first, 1, 9999, NULL, &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  assert_counts (fixture, archive_id, 1, 0);
}

static void
test_messages_delete (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = add_messages (fixture, fixture->inbox_id, 1, 5);
  g_autoptr(GBytes) raw = g_bytes_new_static ("raw", 3);
  g_autoptr(BuzonPendingOp) op = NULL;
  g_autoptr(GPtrArray) ops = NULL;
  gint64 doomed[] = { g_array_index (ids, gint64, 1), g_array_index (ids, gint64, 3) };

  g_assert_true (buzon_store_set_body (fixture->store, doomed[0], raw, "texto", &error));
  g_assert_no_error (error);

  op = buzon_pending_op_new (fixture->account_id, fixture->inbox_id, "delete", "[2, 4]");
  g_assert_true (buzon_store_delete_messages (fixture->store, doomed, 2, op, &error));
  g_assert_no_error (error);

  assert_counts (fixture, fixture->inbox_id, 3, 3);
  g_assert_null (buzon_store_get_message (fixture->store, doomed[0], &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (count_rows (fixture->store, "SELECT count(*) FROM message_bodies"), ==, 0);
  g_assert_cmpint (count_rows (fixture->store, "SELECT count(*) FROM messages_fts"), ==, 3);

  ops = buzon_store_list_ops (fixture->store, fixture->account_id, &error);
  g_assert_cmpuint (ops->len, ==, 1);
  g_assert_cmpstr (((BuzonPendingOp *)g_ptr_array_index (ops, 0))->payload, ==, "[2, 4]");

  /* Deleting again skips the missing ids. */
  g_assert_true (buzon_store_delete_messages (fixture->store, doomed, 2, NULL, &error));
  g_assert_no_error (error);
  assert_counts (fixture, fixture->inbox_id, 3, 3);
}

static void
test_messages_body (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = add_messages (fixture, fixture->inbox_id, 1, 2);
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  g_autoptr(GBytes) got = NULL;
  g_autoptr(BuzonMessageSummary) loaded = NULL;
  g_autoptr(BuzonMessageSummary) fresh = NULL;
  g_autoptr(GPtrArray) batch = g_ptr_array_new ();
  gint64 id = g_array_index (ids, gint64, 0);
  guint8 binary[4096];

  /* Bytes, NULs included, come back exactly. */
  for (guint i = 0; i < sizeof binary; i++)
    binary[i] = (guint8)(i * 7);
  raw = g_bytes_new (binary, sizeof binary);

  g_assert_null (buzon_store_get_body (fixture->store, id, &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (buzon_store_set_body (fixture->store, id, raw, NULL, &error));
  g_assert_no_error (error);
  got = buzon_store_get_body (fixture->store, id, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (got, raw));
  loaded = buzon_store_get_message (fixture->store, id, &error);
  g_assert_cmpint (loaded->body_state, ==, BUZON_BODY_STATE_FULL);
  g_assert_cmpuint (loaded->size, ==, 1234); /* known sizes are kept */
  g_clear_pointer (&loaded, buzon_message_summary_free);

  /* A header refresh does not lower the body state. */
  fresh = store_test_summary (fixture->inbox_id, 1, "Refreshed", "a@b.c", 5);
  fresh->body_state = BUZON_BODY_STATE_NONE;
  g_ptr_array_add (batch, fresh);
  g_assert_true (buzon_store_upsert_messages (fixture->store, batch, &error));
  loaded = buzon_store_get_message (fixture->store, id, &error);
  g_assert_cmpint (loaded->body_state, ==, BUZON_BODY_STATE_FULL);
  g_clear_pointer (&loaded, buzon_message_summary_free);

  /* Replacing, and the empty message. */
  g_assert_true (buzon_store_set_body (fixture->store, id, empty, NULL, &error));
  g_clear_pointer (&got, g_bytes_unref);
  got = buzon_store_get_body (fixture->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (got), ==, 0);

  /* Dropping frees the bytes and lowers the state. */
  g_assert_true (buzon_store_drop_body (fixture->store, id, &error));
  g_assert_no_error (error);
  g_assert_null (buzon_store_get_body (fixture->store, id, &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  loaded = buzon_store_get_message (fixture->store, id, &error);
  g_assert_cmpint (loaded->body_state, ==, BUZON_BODY_STATE_HEADERS);
  g_assert_cmpint (count_rows (fixture->store, "SELECT count(*) FROM message_bodies"), ==, 0);

  g_assert_false (buzon_store_set_body (fixture->store, 9999, raw, NULL, &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (count_rows (fixture->store, "SELECT count(*) FROM message_bodies"), ==, 0);
  g_assert_false (buzon_store_drop_body (fixture->store, 9999, &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
}

static void
test_messages_recount (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = add_messages (fixture, fixture->inbox_id, 1, 6);
  gint64 some[] = { g_array_index (ids, gint64, 0), g_array_index (ids, gint64, 1) };

  g_assert_true (buzon_store_set_flags (fixture->store, some, 2, BUZON_MESSAGE_FLAG_SEEN, 0, NULL,
                                        &error));

  /* Break the counts behind the store's back, then repair them. */
  g_assert_cmpint (sqlite3_exec (fixture->store->writer.db,
                                 "UPDATE folders SET total_count = 77, unread_count = 66",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  assert_counts (fixture, fixture->inbox_id, 77, 66);
  g_assert_true (buzon_store_recount_folder (fixture->store, fixture->inbox_id, &error));
  g_assert_no_error (error);
  assert_counts (fixture, fixture->inbox_id, 6, 4);

  g_assert_false (buzon_store_recount_folder (fixture->store, 9999, &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
}

/* Every statement the store has prepared so far is planned without a full
 * scan of messages: with 100,000 messages that would be felt. */
static void
assert_no_full_scans (BuzonStore *store)
{
  BuzonStoreConn *conns[] = { &store->writer, &store->reader };

  for (guint c = 0; c < G_N_ELEMENTS (conns); c++)
    {
      GHashTableIter iter;
      const char *sql;

      g_hash_table_iter_init (&iter, conns[c]->stmts);
      while (g_hash_table_iter_next (&iter, (gpointer *)&sql, NULL))
        {
          g_autofree char *explain = g_strconcat ("EXPLAIN QUERY PLAN ", sql, NULL);
          sqlite3_stmt *plan = NULL;

          if (!g_str_has_prefix (sql, "SELECT") && !g_str_has_prefix (sql, "INSERT") &&
              !g_str_has_prefix (sql, "UPDATE") && !g_str_has_prefix (sql, "DELETE"))
            continue;

          g_assert_cmpint (sqlite3_prepare_v2 (conns[c]->db, explain, -1, &plan, NULL), ==,
                           SQLITE_OK);
          while (sqlite3_step (plan) == SQLITE_ROW)
            {
              const char *detail = (const char *)sqlite3_column_text (plan, 3);

              if (g_str_equal (detail, "SCAN m") || g_str_has_prefix (detail, "SCAN m ") ||
                  g_str_equal (detail, "SCAN messages") ||
                  g_str_has_prefix (detail, "SCAN messages "))
                g_error ("Full scan of messages (%s) in: %s", detail, sql);
            }
          sqlite3_finalize (plan);
        }
    }
}

static void
test_messages_batch_speed (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) batch = store_test_batch_new ();
  g_autoptr(GPtrArray) page = NULL;
  const guint n = 20000;
  gint64 start;
  gint64 elapsed;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *subject = g_strdup_printf ("Informe número %u sobre la migración", i);
      BuzonMessageSummary *summary = store_test_summary (fixture->inbox_id, i + 1, subject,
                                                         "Equipo <equipo@example.es>",
                                                         1600000000 + i);

      summary->preview = g_strdup ("Adjunto el informe con los datos del trimestre.");
      g_ptr_array_add (batch, summary);
    }

  start = g_get_monotonic_time ();
  g_assert_true (buzon_store_upsert_messages (fixture->store, batch, &error));
  g_assert_no_error (error);
  elapsed = g_get_monotonic_time () - start;
  g_test_message ("%u summaries in one transaction: %.0f ms (%.0f rows/s)", n,
                  elapsed / 1000.0, n / (elapsed / (double)G_USEC_PER_SEC));
  assert_counts (fixture, fixture->inbox_id, n, n);

  /* Resyncing the same folder (flags only) merges in place. */
  start = g_get_monotonic_time ();
  g_assert_true (buzon_store_upsert_messages (fixture->store, batch, &error));
  g_assert_no_error (error);
  elapsed = g_get_monotonic_time () - start;
  g_test_message ("%u summaries merged: %.0f ms", n, elapsed / 1000.0);
  assert_counts (fixture, fixture->inbox_id, n, n);

  start = g_get_monotonic_time ();
  page = buzon_store_list_messages (fixture->store, fixture->inbox_id, n - 100, 100, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 100);
  g_test_message ("Last page of %u: %.1f ms", n, (g_get_monotonic_time () - start) / 1000.0);
  g_assert_cmpuint (((BuzonMessageSummary *)g_ptr_array_index (page, 99))->uid, ==, 1);

  /* Small changes in a big folder cost little: one message's flags, its
   * subject (which the index must catch up with), then deleting it. */
  {
    BuzonMessageSummary *first = g_ptr_array_index (batch, 0);
    g_autoptr(GPtrArray) one = g_ptr_array_new ();

    g_free (first->subject);
    first->subject = g_strdup ("Otro asunto");
    g_ptr_array_add (one, first);
    g_assert_true (buzon_store_set_flags (fixture->store, &first->id, 1,
                                          BUZON_MESSAGE_FLAG_SEEN, 0, NULL, &error));
    g_assert_true (buzon_store_upsert_messages (fixture->store, one, &error));
    g_assert_true (buzon_store_delete_messages (fixture->store, &first->id, 1, NULL, &error));
    g_assert_no_error (error);
  }

  assert_no_full_scans (fixture->store);
}

/* Search */

static void
add_searchable (Fixture    *fixture,
                gint64     *out_ids)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) batch = store_test_batch_new ();
  g_autoptr(GBytes) raw = g_bytes_new_static ("x", 1);

  g_ptr_array_add (batch, store_test_summary (fixture->inbox_id, 1, "La canción del verano",
                                              "Lucía <lucia@musica.es>", 100));
  g_ptr_array_add (batch, store_test_summary (fixture->inbox_id, 2, "Reunión del lunes",
                                              "Jefe <jefe@empresa.es>", 200));
  g_ptr_array_add (batch, store_test_summary (fixture->inbox_id, 3, "Factura de junio",
                                              "Facturación <cobros@luz.es>", 300));
  g_assert_true (buzon_store_upsert_messages (fixture->store, batch, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < batch->len; i++)
    out_ids[i] = ((BuzonMessageSummary *)g_ptr_array_index (batch, i))->id;

  g_assert_true (buzon_store_set_body (fixture->store, out_ids[1], raw,
                                       "Hablaremos del presupuesto y de la campaña de otoño.",
                                       &error));
  g_assert_no_error (error);
}

static GArray *
search (Fixture    *fixture,
        const char *query,
        gint64      folder_id)
{
  g_autoptr(GError) error = NULL;
  GArray *ids = buzon_store_search (fixture->store, query, folder_id, 0, &error);

  g_assert_no_error (error);
  g_assert_nonnull (ids);

  return ids;
}

static void
assert_found (Fixture    *fixture,
              const char *query,
              guint       n,
              gint64      first)
{
  g_autoptr(GArray) ids = search (fixture, query, 0);

  if (ids->len != n)
    g_error ("Search “%s”: %u results, expected %u", query, ids->len, n);
  if (n > 0)
    g_assert_cmpint (g_array_index (ids, gint64, 0), ==, first);
}

static void
test_search_accents (Fixture       *fixture,
                     gconstpointer  data)
{
  gint64 ids[3];

  add_searchable (fixture, ids);

  assert_found (fixture, "cancion", 1, ids[0]);
  assert_found (fixture, "canción", 1, ids[0]);
  assert_found (fixture, "CANCIÓN", 1, ids[0]);
  assert_found (fixture, "reunion", 1, ids[1]);
  assert_found (fixture, "lucia", 1, ids[0]);
  assert_found (fixture, "facturacion", 1, ids[2]);
  assert_found (fixture, "canc", 1, ids[0]);          /* prefixes */
  assert_found (fixture, "cancion verano", 1, ids[0]); /* every word */
  assert_found (fixture, "cancion lunes", 0, 0);
  assert_found (fixture, "del", 2, ids[1]);           /* newest first */
}

static void
test_search_addresses (Fixture       *fixture,
                       gconstpointer  data)
{
  gint64 ids[3];

  add_searchable (fixture, ids);

  assert_found (fixture, "jefe@empresa.es", 1, ids[1]);
  assert_found (fixture, "empresa", 1, ids[1]);
  assert_found (fixture, "cobros", 1, ids[2]);
  assert_found (fixture, "perez", 3, ids[2]);          /* To: Ana Pérez */
  assert_found (fixture, "ana@example.es", 3, ids[2]);
}

static void
test_search_body (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 ids[3];

  add_searchable (fixture, ids);

  assert_found (fixture, "presupuesto", 1, ids[1]);
  assert_found (fixture, "campana otono", 1, ids[1]);

  /* Dropping the bytes keeps the text findable. */
  g_assert_true (buzon_store_drop_body (fixture->store, ids[1], &error));
  g_assert_no_error (error);
  assert_found (fixture, "presupuesto", 1, ids[1]);
}

static void
test_search_delete (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonPendingOp) op = NULL;
  g_autoptr(GPtrArray) batch = store_test_batch_new ();
  BuzonMessageSummary *change;
  gint64 ids[3];

  add_searchable (fixture, ids);
  assert_found (fixture, "presupuesto", 1, ids[1]);

  g_assert_true (buzon_store_delete_messages (fixture->store, &ids[1], 1, NULL, &error));
  g_assert_no_error (error);
  assert_found (fixture, "presupuesto", 0, 0);
  assert_found (fixture, "reunion", 0, 0);
  assert_found (fixture, "jefe", 0, 0);

  /* Subject changes reach the index. */
  change = buzon_message_summary_new ();
  change->folder_id = fixture->inbox_id;
  change->uid = 1;
  change->subject = g_strdup ("Otra melodía");
  g_ptr_array_add (batch, change);
  g_assert_true (buzon_store_upsert_messages (fixture->store, batch, &error));
  g_assert_no_error (error);
  assert_found (fixture, "cancion", 0, 0);
  assert_found (fixture, "melodia", 1, ids[0]);

  /* The index stays consistent with its own contents. */
  g_assert_cmpint (sqlite3_exec (fixture->store->writer.db,
                                 "INSERT INTO messages_fts (messages_fts) "
                                 "VALUES ('integrity-check')",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
}

static void
test_search_scope_and_syntax (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GArray) limited = NULL;
  gint64 found[3];
  gint64 other_id = add_folder (fixture, "Other");
  const char *nasty[] = { "\"", "canción\"", "AND", "OR NOT", "*", "(", "col:x", "NEAR(a b)",
                          "-x", "^", "''", "   ", "" };

  add_searchable (fixture, found);
  g_array_unref (add_messages (fixture, other_id, 1, 2));

  ids = search (fixture, "message", 0);
  g_assert_cmpuint (ids->len, ==, 2);
  g_clear_pointer (&ids, g_array_unref);
  ids = search (fixture, "message", fixture->inbox_id);
  g_assert_cmpuint (ids->len, ==, 0);
  g_clear_pointer (&ids, g_array_unref);
  ids = search (fixture, "message", other_id);
  g_assert_cmpuint (ids->len, ==, 2);

  limited = buzon_store_search (fixture->store, "ana", 0, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (limited->len, ==, 2);

  /* What the user types is never FTS syntax, so never a syntax error. */
  for (guint i = 0; i < G_N_ELEMENTS (nasty); i++)
    {
      g_autoptr(GArray) none = search (fixture, nasty[i], 0);

      g_test_message ("“%s”: %u results", nasty[i], none->len);
    }
  g_clear_pointer (&ids, g_array_unref);
  ids = search (fixture, "canción\"", 0);
  g_assert_cmpuint (ids->len, ==, 1);
}

/* POP3 */

static void
test_pop3_uidls (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonPop3Uidl) record = NULL;
  g_autoptr(GPtrArray) uidls = NULL;
  g_autoptr(BuzonMessageSummary) summary = NULL;
  g_autoptr(GBytes) raw = g_bytes_new_static ("Subject: POP\r\n\r\nhola\r\n", 22);
  g_autoptr(GBytes) body = NULL;
  const char *gone[] = { "UID-A", "UNKNOWN", NULL };
  gint64 first_seen;

  g_assert_null (buzon_store_pop3_lookup_uidl (fixture->store, fixture->account_id, "UID-A",
                                               &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (buzon_store_pop3_record_uidl (fixture->store, fixture->account_id, "UID-A",
                                               &error));
  g_assert_true (buzon_store_pop3_record_uidl (fixture->store, fixture->account_id, "UID-B",
                                               &error));
  g_assert_no_error (error);
  record = buzon_store_pop3_lookup_uidl (fixture->store, fixture->account_id, "UID-A", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (record->uidl, ==, "UID-A");
  g_assert_cmpint (record->message_id, ==, 0);
  g_assert_cmpint (record->downloaded, ==, 0);
  g_assert_cmpint (record->first_seen, >, 0);
  g_assert_false (record->deleted_on_server);
  first_seen = record->first_seen;
  g_clear_pointer (&record, buzon_pop3_uidl_free);

  /* Seen again: nothing changes. */
  g_assert_true (buzon_store_pop3_record_uidl (fixture->store, fixture->account_id, "UID-A",
                                               &error));

  summary = store_test_summary (fixture->inbox_id, 0, "POP", "pop@example.com", 10);
  g_assert_true (buzon_store_pop3_save_message (fixture->store, fixture->account_id, "UID-A",
                                                summary, raw, "hola", &error));
  g_assert_no_error (error);
  g_assert_cmpint (summary->id, >, 0);

  record = buzon_store_pop3_lookup_uidl (fixture->store, fixture->account_id, "UID-A", &error);
  g_assert_cmpint (record->message_id, ==, summary->id);
  g_assert_cmpint (record->downloaded, >, 0);
  g_assert_cmpint (record->first_seen, ==, first_seen);
  g_clear_pointer (&record, buzon_pop3_uidl_free);
  body = buzon_store_get_body (fixture->store, summary->id, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (body, raw));
  assert_found (fixture, "hola", 1, summary->id);

  g_assert_true (buzon_store_pop3_mark_deleted (fixture->store, fixture->account_id, gone,
                                                &error));
  g_assert_no_error (error);

  /* Deleted here: the record stays (nothing is fetched twice) without its copy. */
  g_assert_true (buzon_store_delete_messages (fixture->store, &summary->id, 1, NULL, &error));
  uidls = buzon_store_pop3_list_uidls (fixture->store, fixture->account_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (uidls->len, ==, 2);
  record = buzon_pop3_uidl_copy (g_ptr_array_index (uidls, 0));
  g_assert_cmpstr (record->uidl, ==, "UID-A");
  g_assert_cmpint (record->message_id, ==, 0);
  g_assert_cmpint (record->downloaded, >, 0);
  g_assert_true (record->deleted_on_server);
  g_assert_false (((BuzonPop3Uidl *)g_ptr_array_index (uidls, 1))->deleted_on_server);

  /* A summary whose folder is gone: nothing is stored, not even the UIDL. */
  {
    g_autoptr(BuzonMessageSummary) bad = store_test_summary (9999, 0, "x", "x@x.x", 1);

    g_assert_false (buzon_store_pop3_save_message (fixture->store, fixture->account_id, "UID-C",
                                                   bad, raw, NULL, &error));
    g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
    g_clear_error (&error);
    g_assert_cmpint (bad->id, ==, 0);
  }
  g_assert_null (buzon_store_pop3_lookup_uidl (fixture->store, fixture->account_id, "UID-C",
                                               &error));
  g_clear_error (&error);
  g_assert_cmpint (pragma_int (fixture->store->writer.db, "PRAGMA synchronous"), ==, 1);
}

/* Pending operations */

static void
test_ops_queue (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonAccount) other = store_test_account ("other");
  g_autoptr(GPtrArray) ops = NULL;
  g_autoptr(BuzonPendingOp) peeked = NULL;
  g_autoptr(BuzonPendingOp) bad = NULL;
  gint64 ids[4];

  g_assert_null (buzon_store_peek_op (fixture->store, 0, &error));
  g_assert_no_error (error);

  g_assert_true (buzon_store_add_account (fixture->store, other, &error));
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autofree char *payload = g_strdup_printf ("{\"n\": %u}", i);
      g_autoptr(BuzonPendingOp) op =
        buzon_pending_op_new (i == 2 ? buzon_account_get_id (other) : fixture->account_id,
                              i == 3 ? 0 : fixture->inbox_id, "flags", payload);

      g_assert_true (buzon_store_enqueue_op (fixture->store, op, &error));
      g_assert_no_error (error);
      g_assert_cmpint (op->created, >, 0);
      ids[i] = op->id;
      if (i > 0)
        g_assert_cmpint (ids[i], >, ids[i - 1]);
    }

  ops = buzon_store_list_ops (fixture->store, fixture->account_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ops->len, ==, 3);
  g_assert_cmpint (((BuzonPendingOp *)g_ptr_array_index (ops, 2))->id, ==, ids[3]);
  g_assert_cmpint (((BuzonPendingOp *)g_ptr_array_index (ops, 2))->folder_id, ==, 0);
  g_clear_pointer (&ops, g_ptr_array_unref);
  ops = buzon_store_list_ops (fixture->store, 0, &error);
  g_assert_cmpuint (ops->len, ==, 4);

  /* A failure keeps it first in line, counted. */
  g_assert_true (buzon_store_fail_op (fixture->store, ids[0], "Server said NO", &error));
  g_assert_true (buzon_store_fail_op (fixture->store, ids[0], "Server said NO again", &error));
  g_assert_no_error (error);
  peeked = buzon_store_peek_op (fixture->store, fixture->account_id, &error);
  g_assert_cmpint (peeked->id, ==, ids[0]);
  g_assert_cmpuint (peeked->attempts, ==, 2);
  g_assert_cmpstr (peeked->last_error, ==, "Server said NO again");
  g_assert_cmpstr (peeked->payload, ==, "{\"n\": 0}");
  g_clear_pointer (&peeked, buzon_pending_op_free);

  g_assert_true (buzon_store_complete_op (fixture->store, ids[0], &error));
  g_assert_no_error (error);
  peeked = buzon_store_peek_op (fixture->store, fixture->account_id, &error);
  g_assert_cmpint (peeked->id, ==, ids[1]);
  g_clear_pointer (&peeked, buzon_pending_op_free);
  peeked = buzon_store_peek_op (fixture->store, buzon_account_get_id (other), &error);
  g_assert_cmpint (peeked->id, ==, ids[2]);

  g_assert_false (buzon_store_complete_op (fixture->store, ids[0], &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (buzon_store_fail_op (fixture->store, ids[0], "x", &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  bad = buzon_pending_op_new (fixture->account_id, 0, "flags", "not json");
  g_assert_false (buzon_store_enqueue_op (fixture->store, bad, &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_FAILED);
  g_assert_cmpint (bad->id, ==, 0);
}

/* Outbox */

static void
test_outbox (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) raw = g_bytes_new_static ("From: a\r\nTo: b\r\n\r\nHi\r\n", 22);
  const char *rcpt[] = { "b@example.org", "c@example.org", NULL };
  g_autoptr(BuzonOutboxItem) item = buzon_outbox_item_new (fixture->account_id, raw, rcpt);
  g_autoptr(BuzonOutboxItem) second = buzon_outbox_item_new (fixture->account_id, raw, rcpt);
  g_autoptr(GPtrArray) items = NULL;
  BuzonOutboxItem *listed;

  item->next_attempt = 123;
  g_assert_true (buzon_store_outbox_enqueue (fixture->store, item, &error));
  g_assert_no_error (error);
  g_assert_cmpint (item->id, >, 0);
  g_assert_cmpint (item->created, >, 0);
  g_assert_true (buzon_store_outbox_enqueue (fixture->store, second, &error));

  items = buzon_store_outbox_list (fixture->store, fixture->account_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 2);
  listed = g_ptr_array_index (items, 0);
  g_assert_cmpint (listed->id, ==, item->id);
  g_assert_true (g_bytes_equal (listed->raw, raw));
  g_assert_cmpstrv (listed->recipients, rcpt);
  g_assert_cmpint (listed->next_attempt, ==, 123);
  g_assert_cmpint (listed->state, ==, BUZON_OUTBOX_STATE_QUEUED);
  g_assert_cmpuint (listed->attempts, ==, 0);
  g_clear_pointer (&items, g_ptr_array_unref);

  g_assert_true (buzon_store_outbox_set_state (fixture->store, item->id,
                                               BUZON_OUTBOX_STATE_SENDING, &error));
  g_assert_true (buzon_store_outbox_record_failure (fixture->store, item->id,
                                                    "Connection refused", 500, FALSE, &error));
  g_assert_true (buzon_store_outbox_record_failure (fixture->store, second->id,
                                                    "550 No such user", 0, TRUE, &error));
  g_assert_no_error (error);

  items = buzon_store_outbox_list (fixture->store, 0, &error);
  listed = g_ptr_array_index (items, 0);
  g_assert_cmpint (listed->state, ==, BUZON_OUTBOX_STATE_QUEUED);
  g_assert_cmpuint (listed->attempts, ==, 1);
  g_assert_cmpint (listed->next_attempt, ==, 500);
  g_assert_cmpstr (listed->last_error, ==, "Connection refused");
  listed = g_ptr_array_index (items, 1);
  g_assert_cmpint (listed->state, ==, BUZON_OUTBOX_STATE_FAILED);
  g_clear_pointer (&items, g_ptr_array_unref);

  g_assert_true (buzon_store_outbox_set_state (fixture->store, item->id, BUZON_OUTBOX_STATE_SENT,
                                               &error));
  g_assert_true (buzon_store_outbox_remove (fixture->store, item->id, &error));
  g_assert_no_error (error);
  items = buzon_store_outbox_list (fixture->store, 0, &error);
  g_assert_cmpuint (items->len, ==, 1);

  g_assert_false (buzon_store_outbox_remove (fixture->store, item->id, &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (buzon_store_outbox_set_state (fixture->store, item->id,
                                                BUZON_OUTBOX_STATE_SENT, &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
}

static void
count_cb (BuzonStore *store,
          guint      *count)
{
  (*count)++;
}

static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Undo send, retry, and the sent copy filed with the item's removal. */
static void
test_outbox_lifecycle (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  static const char text[] = "From: a@example.org\r\nTo: b@example.org\r\n"
                             "Subject: lifecycle\r\nMessage-ID: <life@example.org>\r\n\r\n"
                             "Hi\r\n";
  g_autoptr(GBytes) raw = g_bytes_new_static (text, strlen (text));
  const char *rcpt[] = { "b@example.org", NULL };
  g_autoptr(BuzonOutboxItem) item = buzon_outbox_item_new (fixture->account_id, raw, rcpt);
  g_autoptr(BuzonOutboxItem) taken = NULL;
  g_autoptr(BuzonOutboxItem) got = NULL;
  g_autoptr(BuzonMessageSummary) summary = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  gint64 sent_id = add_folder (fixture, "Sent");
  guint changes = 0;

  g_signal_connect (fixture->store, "outbox-changed", G_CALLBACK (count_cb), &changes);

  /* Taken back while it waits: gone, and given back whole. */
  g_assert_true (buzon_store_outbox_enqueue (fixture->store, item, &error));
  g_assert_no_error (error);
  drain ();
  g_assert_cmpuint (changes, ==, 1);
  taken = buzon_store_outbox_take_back (fixture->store, item->id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (taken);
  g_assert_true (g_bytes_equal (taken->raw, raw));
  g_assert_cmpstrv (taken->recipients, rcpt);
  g_assert_null (buzon_store_outbox_get (fixture->store, item->id, &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  drain ();
  g_assert_cmpuint (changes, ==, 2);

  /* Too late once an attempt began, or after one failed. */
  g_assert_true (buzon_store_outbox_enqueue (fixture->store, item, &error));
  g_assert_true (buzon_store_outbox_set_state (fixture->store, item->id,
                                               BUZON_OUTBOX_STATE_SENDING, &error));
  g_assert_null (buzon_store_outbox_take_back (fixture->store, item->id, &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (buzon_store_outbox_record_failure (fixture->store, item->id, "later", 999,
                                                    FALSE, &error));
  g_assert_null (buzon_store_outbox_take_back (fixture->store, item->id, &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Retry: due now, backoff afresh; not for a message the server has. */
  g_assert_true (buzon_store_outbox_record_failure (fixture->store, item->id, "refused", 0,
                                                    TRUE, &error));
  g_assert_true (buzon_store_outbox_retry (fixture->store, item->id, &error));
  g_assert_no_error (error);
  got = buzon_store_outbox_get (fixture->store, item->id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (got->state, ==, BUZON_OUTBOX_STATE_QUEUED);
  g_assert_cmpuint (got->attempts, ==, 0);
  g_assert_cmpint (got->next_attempt, ==, 0);
  g_assert_cmpstr (got->last_error, ==, "refused");
  g_assert_true (buzon_store_outbox_set_state (fixture->store, item->id,
                                               BUZON_OUTBOX_STATE_SENT, &error));
  g_assert_false (buzon_store_outbox_retry (fixture->store, item->id, &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Filed and removed together; a second filing files nothing. */
  summary = store_test_summary (sent_id, 0, "lifecycle", "a@example.org", 1000);
  summary->flags = BUZON_MESSAGE_FLAG_SEEN;
  g_assert_true (buzon_store_outbox_file_sent (fixture->store, item->id, summary, raw, "Hi",
                                               NULL, &error));
  g_assert_no_error (error);
  g_assert_false (buzon_store_outbox_file_sent (fixture->store, item->id, summary, raw, "Hi",
                                                NULL, &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  messages = buzon_store_list_messages (fixture->store, sent_id, 0, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (messages->len, ==, 1);
  g_assert_cmpstr (((BuzonMessageSummary *)g_ptr_array_index (messages, 0))->subject, ==,
                   "lifecycle");
  g_assert_null (buzon_store_outbox_get (fixture->store, item->id, NULL));

  g_signal_handlers_disconnect_by_data (fixture->store, &changes);
}

/* Pins */

static void
test_pins (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pin = NULL;
  const char *colons =
    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:"
    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";
  const char *other = "0000000000000000000000000000000000000000000000000000000000000001";

  g_assert_null (buzon_store_lookup_pin (fixture->store, "mail.example.com", 993, &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (buzon_store_set_pin (fixture->store, "mail.example.com", 993, colons, &error));
  g_assert_no_error (error);
  pin = buzon_store_lookup_pin (fixture->store, "MAIL.Example.com", 993, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pin, ==, "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
  g_clear_pointer (&pin, g_free);

  /* Per port, and replaced by a new pin. */
  g_assert_null (buzon_store_lookup_pin (fixture->store, "mail.example.com", 465, &error));
  g_clear_error (&error);
  g_assert_true (buzon_store_set_pin (fixture->store, "Mail.example.com", 993, other, &error));
  pin = buzon_store_lookup_pin (fixture->store, "mail.example.com", 993, &error);
  g_assert_cmpstr (pin, ==, other);

  g_assert_false (buzon_store_set_pin (fixture->store, "x", 1, "abc", &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_FAILED);
  g_clear_error (&error);

  g_assert_true (buzon_store_remove_pin (fixture->store, "mail.example.com", 993, &error));
  g_assert_no_error (error);
  g_assert_false (buzon_store_remove_pin (fixture->store, "mail.example.com", 993, &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
}

/* Async */

typedef struct
{
  GMainLoop *loop;
  GPtrArray *results;
  GError    *error;
  guint      pending;
  GArray    *order;
} AsyncState;

static void
list_accounts_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  AsyncState *state = user_data;

  state->results = buzon_store_list_accounts_finish (BUZON_STORE (source), result, &state->error);
  g_main_loop_quit (state->loop);
}

static void
test_async_list_accounts (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonAccount) a = store_test_account ("a");
  g_autoptr(BuzonAccount) b = store_test_account ("b");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  AsyncState state = { g_main_loop_new (NULL, FALSE), NULL, NULL, 0, NULL };

  g_assert_true (buzon_store_add_account (fixture->store, a, &error));
  g_assert_true (buzon_store_add_account (fixture->store, b, &error));

  buzon_store_list_accounts_async (fixture->store, NULL, list_accounts_cb, &state);
  g_main_loop_run (state.loop);
  g_assert_no_error (state.error);
  g_assert_cmpuint (state.results->len, ==, 2);
  g_assert_cmpstr (buzon_account_get_name (g_ptr_array_index (state.results, 0)), ==, "a");
  g_assert_cmpstr (buzon_account_get_name (g_ptr_array_index (state.results, 1)), ==, "b");
  g_clear_pointer (&state.results, g_ptr_array_unref);

  g_cancellable_cancel (cancellable);
  buzon_store_list_accounts_async (fixture->store, cancellable, list_accounts_cb, &state);
  g_main_loop_run (state.loop);
  g_assert_error (state.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (state.results);
  g_clear_error (&state.error);

  g_main_loop_unref (state.loop);
}

typedef struct
{
  AsyncState *state;
  guint       index;
} CallData;

static void
upsert_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  CallData *call = user_data;
  AsyncState *state = call->state;
  GError *error = NULL;

  g_assert_true (buzon_store_upsert_messages_finish (BUZON_STORE (source), result, &error));
  g_assert_no_error (error);
  g_array_append_val (state->order, call->index);
  g_free (call);

  if (--state->pending == 0)
    g_main_loop_quit (state->loop);
}

static void
upsert_async (Fixture    *fixture,
              AsyncState *state,
              GPtrArray  *batch)
{
  CallData *call = g_new0 (CallData, 1);

  call->state = state;
  call->index = state->order->len + state->pending;
  state->pending++;
  buzon_store_upsert_messages_async (fixture->store, batch, NULL, upsert_cb, call);
}

static void
assert_in_order (GArray *order,
                 guint   n)
{
  g_assert_cmpuint (order->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (g_array_index (order, guint, i), ==, i);
}

static void
list_messages_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  AsyncState *state = user_data;

  state->results = buzon_store_list_messages_finish (BUZON_STORE (source), result, &state->error);
  g_main_loop_quit (state->loop);
}

static void
count_folder_signal_cb (BuzonStore *store,
                        gint64      folder_id,
                        guint      *count)
{
  (*count)++;
}

static void
test_async_messages (Fixture       *fixture,
                     gconstpointer  data)
{
  AsyncState state = { g_main_loop_new (NULL, FALSE), NULL, NULL, 0, NULL };
  g_autoptr(GPtrArray) batches = g_ptr_array_new_with_free_func ((GDestroyNotify)g_ptr_array_unref);
  GThread *self_thread = g_thread_self ();
  guint signals = 0;

  state.order = g_array_new (FALSE, FALSE, sizeof (guint));
  g_signal_connect (fixture->store, "messages-changed", G_CALLBACK (count_folder_signal_cb),
                    &signals);

  /* Five batches queued at once are written in the order asked. The same
   * UIDs in every batch: the last one's subjects must win. */
  for (guint b = 0; b < 5; b++)
    {
      GPtrArray *batch = store_test_batch_new ();

      for (guint i = 0; i < 1000; i++)
        {
          g_autofree char *subject = g_strdup_printf ("batch %u", b);

          g_ptr_array_add (batch, store_test_summary (fixture->inbox_id, i + 1, subject,
                                                      "a@b.c", 1000 + i));
        }
      g_ptr_array_add (batches, batch);
    }

  for (guint b = 0; b < 5; b++)
    upsert_async (fixture, &state, g_ptr_array_index (batches, b));
  g_assert_cmpuint (signals, ==, 0); /* signals come on this thread's context */

  g_main_loop_run (state.loop);
  assert_in_order (state.order, 5);
  g_assert_true (g_thread_self () == self_thread);
  g_assert_cmpuint (signals, >=, 1);
  for (guint b = 0; b < 5; b++)
    {
      GPtrArray *batch = g_ptr_array_index (batches, b);

      g_assert_cmpint (((BuzonMessageSummary *)g_ptr_array_index (batch, 0))->id, >, 0);
    }

  buzon_store_list_messages_async (fixture->store, fixture->inbox_id, 0, 10, NULL,
                                   list_messages_cb, &state);
  g_main_loop_run (state.loop);
  g_assert_no_error (state.error);
  g_assert_cmpuint (state.results->len, ==, 10);
  for (guint i = 0; i < state.results->len; i++)
    g_assert_cmpstr (((BuzonMessageSummary *)g_ptr_array_index (state.results, i))->subject, ==,
                     "batch 4");
  g_assert_cmpuint (((BuzonMessageSummary *)g_ptr_array_index (state.results, 0))->uid, ==, 1000);
  g_clear_pointer (&state.results, g_ptr_array_unref);
  assert_counts (fixture, fixture->inbox_id, 1000, 1000);

  g_signal_handlers_disconnect_by_data (fixture->store, &signals);
  g_array_unref (state.order);
  g_main_loop_unref (state.loop);
}

static void
test_async_write_order (Fixture       *fixture,
                        gconstpointer  data)
{
  AsyncState state = { g_main_loop_new (NULL, FALSE), NULL, NULL, 0, NULL };
  g_autoptr(GPtrArray) batches = g_ptr_array_new_with_free_func ((GDestroyNotify)g_ptr_array_unref);
  gint64 last_id = 0;

  state.order = g_array_new (FALSE, FALSE, sizeof (guint));

  /* Each batch adds new rows: ids grow with the order of the writes. */
  for (guint b = 0; b < 8; b++)
    {
      GPtrArray *batch = store_test_batch_new ();

      for (guint i = 0; i < 200; i++)
        g_ptr_array_add (batch, store_test_summary (fixture->inbox_id, b * 1000 + i + 1, "x",
                                                    "a@b.c", 1));
      g_ptr_array_add (batches, batch);
      upsert_async (fixture, &state, batch);
    }

  g_main_loop_run (state.loop);
  assert_in_order (state.order, 8);

  for (guint b = 0; b < batches->len; b++)
    {
      GPtrArray *batch = g_ptr_array_index (batches, b);
      BuzonMessageSummary *first = g_ptr_array_index (batch, 0);
      BuzonMessageSummary *last = g_ptr_array_index (batch, batch->len - 1);

      g_assert_cmpint (first->id, >, last_id);
      g_assert_cmpint (last->id, ==, first->id + 199);
      last_id = last->id;
    }

  g_array_unref (state.order);
  g_main_loop_unref (state.loop);
}

typedef struct
{
  BuzonStore *store;
  GThread    *emitted_in;
  guint       count;
} SignalState;

static void
record_thread_cb (BuzonStore  *store,
                  SignalState *state)
{
  state->emitted_in = g_thread_self ();
  state->count++;
}

static gpointer
add_account_thread (gpointer data)
{
  SignalState *state = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonAccount) account = store_test_account ("from-thread");

  g_assert_true (buzon_store_add_account (state->store, account, &error));
  g_assert_no_error (error);

  return NULL;
}

static void
test_async_signal_context (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainContext) context = g_main_context_new ();
  SignalState state = { NULL, NULL, 0 };
  g_autofree char *path = g_build_filename (fixture->dir, "context.db", NULL);
  GThread *thread;

  /* A store opened under a thread-default context emits there, even for a
   * write made by another thread. */
  g_main_context_push_thread_default (context);
  state.store = buzon_store_open (path, &error);
  g_assert_no_error (error);
  g_signal_connect (state.store, "accounts-changed", G_CALLBACK (record_thread_cb), &state);

  thread = g_thread_new ("writer", add_account_thread, &state);
  g_thread_join (thread);
  g_assert_cmpuint (state.count, ==, 0);

  while (state.count == 0)
    g_main_context_iteration (context, TRUE);
  g_assert_true (state.emitted_in == g_thread_self ());

  g_signal_handlers_disconnect_by_data (state.store, &state);
  store_test_drop (state.store);
  while (g_main_context_pending (context))
    g_main_context_iteration (context, FALSE);
  g_main_context_pop_thread_default (context);
}

static void
unref_in_callback_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GMainLoop *loop = user_data;
  GError *error = NULL;

  g_assert_true (buzon_store_upsert_messages_finish (BUZON_STORE (source), result, &error));
  g_assert_no_error (error);
  g_main_loop_quit (loop);
}

static void
test_async_drop_store (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) batch = store_test_batch_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) page = NULL;
  GWeakRef ref;

  /* The caller lets go of the store while a write is queued: the write
   * still completes and calls back, then the store is finalized, maybe in
   * its write thread. */
  for (guint i = 0; i < 500; i++)
    g_ptr_array_add (batch, store_test_summary (fixture->inbox_id, i + 1, "x", "a@b.c", 1));
  buzon_store_upsert_messages_async (fixture->store, batch, NULL, unref_in_callback_cb, loop);

  g_weak_ref_init (&ref, fixture->store);
  g_clear_object (&fixture->store);
  g_main_loop_run (loop);
  store_test_wait_finalized (&ref);
  g_weak_ref_clear (&ref);

  fixture->store = buzon_store_open (fixture->path, &error);
  g_assert_no_error (error);
  page = buzon_store_list_messages (fixture->store, fixture->inbox_id, 0, 0, &error);
  g_assert_cmpuint (page->len, ==, 500);
}

/* Errors and isolation */

static void
test_errors_disk_full (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) batch = store_test_batch_new ();
  g_autofree char *limit = NULL;
  gint64 pages;

  /* A database that may not grow any more fails like a full disk. */
  pages = count_rows (fixture->store, "PRAGMA page_count");
  limit = g_strdup_printf ("PRAGMA max_page_count = %" G_GINT64_FORMAT, pages + 2);
  g_assert_cmpint (sqlite3_exec (fixture->store->writer.db, limit, NULL, NULL, NULL), ==,
                   SQLITE_OK);

  for (guint i = 0; i < 5000; i++)
    g_ptr_array_add (batch, store_test_summary (fixture->inbox_id, i + 1,
                                                "Un asunto bastante largo para llenar páginas",
                                                "a@b.c", i));

  g_assert_false (buzon_store_upsert_messages (fixture->store, batch, &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_FAILED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "disk is full"));
  g_clear_error (&error);

  /* Nothing of the batch was kept, and the store works once there is room. */
  assert_counts (fixture, fixture->inbox_id, 0, 0);
  g_assert_cmpint (sqlite3_exec (fixture->store->writer.db, "PRAGMA max_page_count = 1073741823",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_true (buzon_store_upsert_messages (fixture->store, batch, &error));
  g_assert_no_error (error);
  assert_counts (fixture, fixture->inbox_id, 5000, 5000);
}

static void
test_errors_read_during_write (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) during = NULL;
  g_autoptr(GPtrArray) after = NULL;
  BuzonStoreConn *w;

  /* While a write transaction is open, reads neither wait for it nor see it. */
  w = _buzon_store_write_begin (fixture->store, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_exec (w->db, "INSERT INTO accounts (name, created) VALUES ('x', 1)",
                                 NULL, NULL, NULL), ==, SQLITE_OK);

  during = buzon_store_list_accounts (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (during->len, ==, 0);

  g_assert_true (_buzon_store_write_end (fixture->store, TRUE, &error));
  g_assert_no_error (error);

  after = buzon_store_list_accounts (fixture->store, &error);
  g_assert_cmpuint (after->len, ==, 1);

  /* The reader cannot write, even by mistake. */
  g_assert_cmpint (sqlite3_exec (fixture->store->reader.db, "DELETE FROM accounts",
                                 NULL, NULL, NULL), ==, SQLITE_READONLY);
}

typedef struct
{
  GArray *folders_changed;
  GArray *messages_changed;
} ChangeLog;

static void
log_folders_changed_cb (BuzonStore *store,
                        gint64      account_id,
                        ChangeLog  *log)
{
  g_array_append_val (log->folders_changed, account_id);
}

static void
log_messages_changed_cb (BuzonStore *store,
                         gint64      folder_id,
                         ChangeLog  *log)
{
  g_array_append_val (log->messages_changed, folder_id);
}

static void
test_folders_signals (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = NULL;
  ChangeLog log = {
    g_array_new (FALSE, FALSE, sizeof (gint64)),
    g_array_new (FALSE, FALSE, sizeof (gint64)),
  };
  gint64 archive_id;
  gint64 first;

  g_signal_connect (fixture->store, "folders-changed", G_CALLBACK (log_folders_changed_cb), &log);
  g_signal_connect (fixture->store, "messages-changed", G_CALLBACK (log_messages_changed_cb),
                    &log);

  archive_id = add_folder (fixture, "Archive");
  g_assert_cmpuint (log.folders_changed->len, ==, 1);
  g_assert_cmpint (g_array_index (log.folders_changed, gint64, 0), ==, fixture->account_id);

  /* One signal per folder and transaction, however many messages. */
  ids = add_messages (fixture, fixture->inbox_id, 1, 100);
  g_assert_cmpuint (log.messages_changed->len, ==, 1);
  g_assert_cmpint (g_array_index (log.messages_changed, gint64, 0), ==, fixture->inbox_id);

  first = g_array_index (ids, gint64, 0);
  g_array_set_size (log.messages_changed, 0);
  g_assert_true (buzon_store_move_messages (fixture->store, &first, 1, archive_id, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (log.messages_changed->len, ==, 2);
  g_assert_cmpint (g_array_index (log.messages_changed, gint64, 0), ==, fixture->inbox_id);
  g_assert_cmpint (g_array_index (log.messages_changed, gint64, 1), ==, archive_id);

  /* A failed write says nothing. */
  g_array_set_size (log.messages_changed, 0);
  g_assert_false (buzon_store_move_messages (fixture->store, &first, 1, 9999, NULL, &error));
  g_clear_error (&error);
  g_assert_cmpuint (log.messages_changed->len, ==, 0);

  g_array_set_size (log.folders_changed, 0);
  g_assert_true (buzon_store_delete_folder (fixture->store, archive_id, &error));
  g_assert_cmpuint (log.folders_changed->len, ==, 1);

  g_signal_handlers_disconnect_by_data (fixture->store, &log);
  g_array_unref (log.folders_changed);
  g_array_unref (log.messages_changed);
}

static void
cancelled_upsert_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  AsyncState *state = user_data;

  g_assert_false (buzon_store_upsert_messages_finish (BUZON_STORE (source), result,
                                                      &state->error));
  g_main_loop_quit (state->loop);
}

static void
test_async_cancelled_write (Fixture       *fixture,
                            gconstpointer  data)
{
  AsyncState state = { g_main_loop_new (NULL, FALSE), NULL, NULL, 0, NULL };
  g_autoptr(GPtrArray) batch = store_test_batch_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  /* Cancelled before it started: nothing is written. */
  g_ptr_array_add (batch, store_test_summary (fixture->inbox_id, 1, "x", "a@b.c", 1));
  g_cancellable_cancel (cancellable);
  buzon_store_upsert_messages_async (fixture->store, batch, cancellable, cancelled_upsert_cb,
                                     &state);
  g_main_loop_run (state.loop);
  g_assert_error (state.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&state.error);
  assert_counts (fixture, fixture->inbox_id, 0, 0);

  g_main_loop_unref (state.loop);
}

static void
test_remote_content_senders (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GPtrArray) senders = NULL;
  g_autoptr(GError) error = NULL;

  (void)data;
  g_assert_true (buzon_store_allow_remote_content (fixture->store, "News@Example.test", TRUE,
                                                   &error));
  g_assert_true (buzon_store_allow_remote_content (fixture->store, "news@example.test", TRUE,
                                                   &error));
  g_assert_true (buzon_store_allow_remote_content (fixture->store, "ana@example.test", TRUE,
                                                   &error));
  g_assert_no_error (error);
  senders = buzon_store_list_remote_content_senders (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (senders->len, ==, 2);
  g_assert_cmpstr (senders->pdata[0], ==, "ana@example.test");
  g_assert_cmpstr (senders->pdata[1], ==, "news@example.test");

  g_assert_true (buzon_store_allow_remote_content (fixture->store, "ANA@example.test", FALSE,
                                                   &error));
  g_assert_no_error (error);
  g_clear_pointer (&senders, g_ptr_array_unref);
  senders = buzon_store_list_remote_content_senders (fixture->store, &error);
  g_assert_cmpuint (senders->len, ==, 1);
  g_assert_cmpstr (senders->pdata[0], ==, "news@example.test");
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *data_home = store_test_make_dir ();
  int status;

  /* The default path lives in XDG_DATA_HOME, which GLib reads once: point it
   * at a scratch directory first. (G_TEST_OPTION_ISOLATE_DIRS would, but
   * GLib 2.74 leaks the old values each time, which valgrind reports.) */
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/buzon/store/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
#define ADD_MAIL(path, func) \
  g_test_add ("/buzon/store/" path, Fixture, NULL, fixture_set_up_mail, func, fixture_tear_down)

  g_test_add_func ("/buzon/store/open/default-path", test_open_default_path);
  ADD ("open/permissions", test_open_permissions);
  ADD ("open/pragmas", test_open_pragmas);
  ADD ("remote-content/senders", test_remote_content_senders);

  ADD ("accounts/round-trip", test_accounts_round_trip);
  ADD ("accounts/defaults", test_accounts_defaults);
  ADD ("accounts/duplicate", test_accounts_duplicate);
  ADD ("accounts/invalid", test_accounts_invalid);
  ADD ("accounts/update", test_accounts_update);
  ADD_MAIL ("accounts/remove-cascades", test_accounts_remove_cascades);
  ADD ("accounts/signal", test_accounts_signal);
  ADD_MAIL ("accounts/quota", test_accounts_quota);

  ADD_MAIL ("folders/hierarchy", test_folders_hierarchy);
  ADD_MAIL ("folders/rename", test_folders_rename);
  ADD_MAIL ("folders/delete", test_folders_delete);
  ADD_MAIL ("folders/sync-state", test_folders_sync_state);
  ADD_MAIL ("folders/signals", test_folders_signals);

  ADD_MAIL ("messages/upsert", test_messages_upsert);
  ADD_MAIL ("messages/list", test_messages_list);
  ADD_MAIL ("messages/flags", test_messages_flags);
  ADD_MAIL ("messages/move", test_messages_move);
  ADD_MAIL ("messages/delete", test_messages_delete);
  ADD_MAIL ("messages/body", test_messages_body);
  ADD_MAIL ("messages/recount", test_messages_recount);
  ADD_MAIL ("messages/batch-speed", test_messages_batch_speed);

  ADD_MAIL ("search/accents", test_search_accents);
  ADD_MAIL ("search/addresses", test_search_addresses);
  ADD_MAIL ("search/body", test_search_body);
  ADD_MAIL ("search/delete", test_search_delete);
  ADD_MAIL ("search/scope-and-syntax", test_search_scope_and_syntax);

  ADD_MAIL ("pop3/uidls", test_pop3_uidls);
  ADD_MAIL ("ops/queue", test_ops_queue);
  ADD_MAIL ("outbox/queue", test_outbox);
  ADD_MAIL ("outbox/lifecycle", test_outbox_lifecycle);
  ADD_MAIL ("pins/set-lookup-remove", test_pins);

  ADD_MAIL ("errors/disk-full", test_errors_disk_full);
  ADD ("errors/read-during-write", test_errors_read_during_write);

  ADD ("async/list-accounts", test_async_list_accounts);
  ADD_MAIL ("async/messages", test_async_messages);
  ADD_MAIL ("async/write-order", test_async_write_order);
  ADD ("async/signal-context", test_async_signal_context);
  ADD_MAIL ("async/cancelled-write", test_async_cancelled_write);
  ADD_MAIL ("async/drop-store", test_async_drop_store);

#undef ADD
#undef ADD_MAIL

  status = g_test_run ();
  store_test_rm_rf (data_home);

  return status;
}
