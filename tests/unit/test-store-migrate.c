/* test-store-migrate.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Schema migrations: every earlier version upgrades to the latest and ends
 * with the same schema as a new store; a newer store, another program's
 * database and a damaged file are refused and left untouched. Old versions
 * are built here by applying the first N shipped scripts, so every future
 * data/sql/version-NNN.sql is covered without new test data. */

#include "config.h"

#include <string.h>

#include "buzon-store-private.h"
#include "store-test-util.h"

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->dir = store_test_make_dir ();
  fixture->path = g_build_filename (fixture->dir, "buzon.db", NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  store_test_rm_rf (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

static sqlite3 *
raw_open (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);

  return db;
}

static void
raw_exec (sqlite3    *db,
          const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

static gint64
raw_int (sqlite3    *db,
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

static gint64
file_user_version (const char *path)
{
  sqlite3 *db = raw_open (path);
  gint64 version = raw_int (db, "PRAGMA user_version");

  sqlite3_close (db);

  return version;
}

/* The schema as text, one object a line, sorted: two stores with equal
 * text have the same tables, indexes, triggers and columns. */
static char *
dump_schema (const char *path)
{
  sqlite3 *db = raw_open (path);
  sqlite3_stmt *stmt = NULL;
  GString *text = g_string_new (NULL);

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT type, name, sql FROM sqlite_schema "
                                           "ORDER BY type, name",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (text, "%s %s %s\n", sqlite3_column_text (stmt, 0),
                            sqlite3_column_text (stmt, 1), sqlite3_column_text (stmt, 2));
  sqlite3_finalize (stmt);

  g_string_append_printf (text, "application_id %" G_GINT64_FORMAT "\n",
                          raw_int (db, "PRAGMA application_id"));
  sqlite3_close (db);

  return g_string_free (text, FALSE);
}

/* A database as Buzón of format @version wrote it. */
static void
make_version (const char *path,
              guint       version)
{
  sqlite3 *db = raw_open (path);

  for (guint v = 1; v <= version; v++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) script = _buzon_store_load_script (v, &error);
      g_autofree char *sql = NULL;
      g_autofree char *set_version = g_strdup_printf ("PRAGMA user_version = %u", v);

      g_assert_no_error (error);
      sql = g_strndup (g_bytes_get_data (script, NULL), g_bytes_get_size (script));
      raw_exec (db, "BEGIN");
      raw_exec (db, sql);
      raw_exec (db, set_version);
      raw_exec (db, "COMMIT");
    }

  sqlite3_close (db);
}

static void
test_scripts (void)
{
  guint latest = _buzon_store_latest_version ();

  g_assert_cmpuint (latest, >=, 1);

  for (guint v = 1; v <= latest; v++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) script = _buzon_store_load_script (v, &error);
      g_autofree char *sql = NULL;
      g_auto(GStrv) lines = NULL;
      g_autoptr(GString) code = g_string_new (NULL);
      g_autofree char *upper = NULL;

      g_assert_no_error (error);
      sql = g_strndup (g_bytes_get_data (script, NULL), g_bytes_get_size (script));

      /* Every script opens with a comment saying why it exists… */
      g_assert_true (g_str_has_prefix (sql, "--"));
      g_assert_nonnull (strstr (sql, "Why:"));

      /* …and leaves transactions and the version to the store. */
      lines = g_strsplit (sql, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          if (!g_str_has_prefix (g_strchug (lines[i]), "--"))
            g_string_append_printf (code, "\n%s", lines[i]);
        }
      upper = g_ascii_strup (code->str, -1);
      g_assert_null (strstr (upper, "\nBEGIN;"));
      g_assert_null (strstr (upper, "\nCOMMIT;"));
      g_assert_null (strstr (upper, "PRAGMA USER_VERSION"));
    }

  /* No gap: the one after the last does not exist. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) missing = _buzon_store_load_script (latest + 1, &error);

    g_assert_null (missing);
    g_assert_error (error, G_RESOURCE_ERROR, G_RESOURCE_ERROR_NOT_FOUND);
  }
}

static void
test_from_v0 (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  BuzonStore *store;
  sqlite3 *db;

  /* An empty file, as a crash right after creating it would leave. */
  g_assert_true (g_file_set_contents (fixture->path, "", 0, NULL));

  store = buzon_store_open (fixture->path, &error);
  g_assert_no_error (error);
  store_test_drop (store);

  db = raw_open (fixture->path);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==, _buzon_store_latest_version ());
  g_assert_cmpint (raw_int (db, "PRAGMA application_id"), ==, BUZON_STORE_APPLICATION_ID);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM sqlite_schema WHERE name IN "
                                "('accounts', 'folders', 'messages', 'message_bodies', "
                                "'pop3_uidls', 'pending_ops', 'outbox', 'cert_pins', "
                                "'messages_fts', 'op_failures', 'thread_refs', "
                                "'folder_threads', 'remote_content_senders')"), ==, 13);
  sqlite3_close (db);
}

static void
test_from_every_version (Fixture       *fixture,
                         gconstpointer  data)
{
  guint latest = _buzon_store_latest_version ();
  g_autofree char *fresh_path = g_build_filename (fixture->dir, "fresh.db", NULL);
  g_autofree char *fresh_schema = NULL;
  g_autoptr(GError) error = NULL;
  BuzonStore *store;

  store = buzon_store_open (fresh_path, &error);
  g_assert_no_error (error);
  store_test_drop (store);
  fresh_schema = dump_schema (fresh_path);

  for (guint version = 0; version < latest; version++)
    {
      g_autofree char *path = g_strdup_printf ("%s/v%u.db", fixture->dir, version);
      g_autofree char *schema = NULL;
      g_autoptr(BuzonAccount) account = store_test_account ("upgraded");

      g_test_message ("Upgrading from format %u to %u", version, latest);
      make_version (path, version);
      g_assert_cmpint (file_user_version (path), ==, version);

      store = buzon_store_open (path, &error);
      g_assert_no_error (error);
      g_assert_true (buzon_store_add_account (store, account, &error));
      g_assert_no_error (error);
      store_test_drop (store);

      g_assert_cmpint (file_user_version (path), ==, latest);
      schema = dump_schema (path);
      g_assert_cmpstr (schema, ==, fresh_schema);
    }
}

static void
test_current (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonAccount) account = store_test_account ("kept");
  g_autoptr(BuzonAccount) loaded = NULL;
  BuzonStore *store;

  store = buzon_store_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_true (buzon_store_add_account (store, account, &error));
  store_test_drop (store);

  /* At the latest version: opens as is, data intact. */
  store = buzon_store_open (fixture->path, &error);
  g_assert_no_error (error);
  loaded = buzon_store_lookup_account (store, "kept", &error);
  g_assert_no_error (error);
  g_assert_cmpint (buzon_account_get_id (loaded), ==, buzon_account_get_id (account));
  store_test_drop (store);

  g_assert_cmpint (file_user_version (fixture->path), ==, _buzon_store_latest_version ());
}

static void
test_newer_refused (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *newer = NULL;
  g_autofree char *latest = NULL;
  guint version = _buzon_store_latest_version () + 1;
  BuzonStore *store;
  sqlite3 *db;

  /* As a newer Buzón would leave it: our tables, a higher format, and
   * something this version has never heard of. */
  make_version (fixture->path, _buzon_store_latest_version ());
  db = raw_open (fixture->path);
  newer = g_strdup_printf ("PRAGMA user_version = %u", version);
  raw_exec (db, newer);
  raw_exec (db, "CREATE TABLE from_the_future (x)");
  sqlite3_close (db);
  before = dump_schema (fixture->path);

  store = buzon_store_open (fixture->path, &error);
  g_assert_null (store);
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NEWER_VERSION);
  g_test_message ("%s", error->message);
  g_clear_pointer (&newer, g_free);
  newer = g_strdup_printf ("(format %u)", version);
  latest = g_strdup_printf ("up to %u", version - 1);
  g_assert_nonnull (strstr (error->message, newer));
  g_assert_nonnull (strstr (error->message, latest));
  g_assert_nonnull (strstr (error->message, "Update Buzón"));

  /* Untouched. */
  after = dump_schema (fixture->path);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpint (file_user_version (fixture->path), ==, version);
}

static void
test_foreign_refused (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *other = g_build_filename (fixture->dir, "other.db", NULL);
  sqlite3 *db;

  /* Somebody else's database: tables but no version. */
  db = raw_open (fixture->path);
  raw_exec (db, "CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('x')");
  sqlite3_close (db);

  g_assert_null (buzon_store_open (fixture->path, &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_CORRUPT);
  g_clear_error (&error);
  g_assert_cmpint (file_user_version (fixture->path), ==, 0);

  /* Another program's versioned database. */
  db = raw_open (other);
  raw_exec (db, "CREATE TABLE t (x); PRAGMA user_version = 1; PRAGMA application_id = 7");
  sqlite3_close (db);

  g_assert_null (buzon_store_open (other, &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "not a Buzón mail store"));
}

static void
test_garbage_refused (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;
  char junk[8192];

  for (guint i = 0; i < sizeof junk; i++)
    junk[i] = (char)('A' + i % 26);
  g_assert_true (g_file_set_contents (fixture->path, junk, sizeof junk, NULL));

  g_assert_null (buzon_store_open (fixture->path, &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_CORRUPT);
  g_test_message ("%s", error->message);

  g_assert_true (g_file_get_contents (fixture->path, &contents, &length, NULL));
  g_assert_cmpmem (contents, length, junk, sizeof junk);
}

static gpointer
open_thread (gpointer data)
{
  const char *path = data;
  g_autoptr(GError) error = NULL;
  BuzonStore *store = buzon_store_open (path, &error);

  g_assert_no_error (error);
  g_object_unref (store);

  return NULL;
}

static void
test_concurrent_open (Fixture       *fixture,
                      gconstpointer  data)
{
  GThread *threads[8];

  /* Several openers of one new file: one migrates, the others wait and
   * find it done. */
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("open", open_thread, fixture->path);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);

  g_assert_cmpint (file_user_version (fixture->path), ==, _buzon_store_latest_version ());
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/buzon/store/migrate/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  g_test_add_func ("/buzon/store/migrate/scripts", test_scripts);
  ADD ("from-v0", test_from_v0);
  ADD ("from-every-version", test_from_every_version);
  ADD ("current", test_current);
  ADD ("newer-refused", test_newer_refused);
  ADD ("foreign-refused", test_foreign_refused);
  ADD ("garbage-refused", test_garbage_refused);
  ADD ("concurrent-open", test_concurrent_open);

#undef ADD

  return g_test_run ();
}
