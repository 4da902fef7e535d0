/* test-store-crash.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A write interrupted by a crash: store-writer (a separate program) opens
 * the store and writes 20,000 messages with bodies, and is SIGKILLed after
 * a varying delay. Then the store must open, pass SQLite's integrity check
 * and the full-text index's, every message whose body state is full must
 * have exactly its body (and no body may exist without that state), every
 * batch must be all there or not at all, and the folder counts must match
 * the rows. The runs share one file, so each also checks that the store goes
 * on working after recovering from the previous crash. */

#include "config.h"

#include <signal.h>

#include "buzon-store-private.h"
#include "store-test-util.h"

#define N_BATCHES  10
#define BATCH_SIZE 2000

static const char *writer_path;

static gint64
query_int (sqlite3    *db,
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

/* Runs the writer for @run and kills it @delay_ms after it started writing,
 * or, with @after_first_bodies, @delay_ms after it reported its first batch of
 * bodies committed: then the kill is still mid-write (of a later batch), but
 * the store surely holds bodies, however slow the machine (sanitizers).
 * Returns whether it was killed before it finished. */
static gboolean
run_writer (const char *path,
            guint       run,
            guint       delay_ms,
            gboolean    after_first_bodies)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) writer = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *run_arg = g_strdup_printf ("%u", run);
  g_autofree char *batches_arg = g_strdup_printf ("%u", N_BATCHES);
  g_autofree char *size_arg = g_strdup_printf ("%u", BATCH_SIZE);
  g_autofree char *line = NULL;
  gboolean killed;

  writer = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, writer_path, path, run_arg,
                             batches_arg, size_arg, NULL);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (writer));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "started");

  if (after_first_bodies)
    {
      g_clear_pointer (&line, g_free);
      line = g_data_input_stream_read_line (out, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (line, ==, "bodies 0");
    }

  g_usleep (delay_ms * 1000);
  g_subprocess_force_exit (writer);
  g_assert_true (g_subprocess_wait (writer, NULL, &error));
  g_assert_no_error (error);

  killed = g_subprocess_get_if_signaled (writer);
  if (killed)
    g_assert_cmpint (g_subprocess_get_term_sig (writer), ==, SIGKILL);
  else
    g_assert_true (g_subprocess_get_successful (writer));

  return killed;
}

/* Checks the store after a crash. Returns the number of complete bodies. */
static gint64
check_store (const char *path,
             gint64      folder_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonFolder) folder = NULL;
  g_autoptr(GArray) found = NULL;
  BuzonStore *store;
  sqlite3 *db;
  sqlite3_stmt *stmt = NULL;
  gint64 full = 0;

  /* Opening recovers the write-ahead log. */
  store = buzon_store_open (path, &error);
  g_assert_no_error (error);
  db = store->writer.db;

  {
    g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==,
                     SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpstr ((const char *)sqlite3_column_text (stmt, 0), ==, "ok");
    sqlite3_finalize (stmt);
  }
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM pragma_foreign_key_check"), ==, 0);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO messages_fts (messages_fts) "
                                     "VALUES ('integrity-check')",
                                 NULL, NULL, NULL), ==, SQLITE_OK);

  /* Body state full ⇔ a body is stored. */
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM messages AS m WHERE body_state = 2 "
                                  "AND NOT EXISTS (SELECT 1 FROM message_bodies "
                                  "WHERE message_id = m.id)"), ==, 0);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM message_bodies AS b "
                                  "JOIN messages AS m ON m.id = b.message_id "
                                  "WHERE m.body_state <> 2"), ==, 0);

  /* Every batch whole, or absent. */
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT (uid - 1) / ?1, count(*) FROM messages "
                                           "GROUP BY 1",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int (stmt, 1, BATCH_SIZE);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      if (sqlite3_column_int64 (stmt, 1) != BATCH_SIZE)
        g_error ("Batch %" G_GINT64_FORMAT " has %" G_GINT64_FORMAT " of %u messages",
                 (gint64)sqlite3_column_int64 (stmt, 0), (gint64)sqlite3_column_int64 (stmt, 1),
                 BATCH_SIZE);
    }
  sqlite3_finalize (stmt);

  /* Each stored body is exactly what was written. */
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT id, uid FROM messages WHERE body_state = 2",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(GBytes) expected = store_test_crash_body ((guint32)sqlite3_column_int64 (stmt, 1));
      g_autoptr(GBytes) body = buzon_store_get_body (store, sqlite3_column_int64 (stmt, 0),
                                                     &error);

      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (body, expected));
      full++;
    }
  sqlite3_finalize (stmt);

  /* The counts the triggers keep match the rows. */
  folder = buzon_store_get_folder (store, folder_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (folder->total_count, ==, query_int (db, "SELECT count(*) FROM messages"));

  /* And the store still works: search, then a write. */
  found = buzon_store_search (store, "cancion", folder_id, 1, &error);
  g_assert_no_error (error);
  g_assert_true (buzon_store_recount_folder (store, folder_id, &error));
  g_assert_no_error (error);

  g_test_message ("%u messages, %" G_GINT64_FORMAT " with their body", folder->total_count, full);

  store_test_drop (store);

  return full;
}

static void
test_crash_mid_write (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonAccount) account = store_test_account ("crash");
  g_autoptr(BuzonFolder) inbox = buzon_folder_new ();
  g_autofree char *dir = store_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "buzon.db", NULL);
  const guint delays_ms[] = { 0, 40, 150, 400, 900, 1600, 0, 40 };
  /* The last runs wait for committed bodies (see run_writer). */
  const guint first_after_bodies = 6;
  guint killed = 0;
  gint64 bodies = 0;
  BuzonStore *store;

  store = buzon_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (buzon_store_add_account (store, account, &error));
  inbox->account_id = buzon_account_get_id (account);
  inbox->name = g_strdup ("INBOX");
  g_assert_true (buzon_store_upsert_folder (store, inbox, &error));
  g_assert_no_error (error);
  store_test_drop (store);

  for (guint run = 0; run < G_N_ELEMENTS (delays_ms); run++)
    {
      gint64 now_bodies;

      g_test_message ("Run %u: kill after %u ms", run, delays_ms[run]);
      if (run_writer (path, run + 1, delays_ms[run], run >= first_after_bodies))
        killed++;

      now_bodies = check_store (path, inbox->id);
      g_assert_cmpint (now_bodies, >=, bodies);
      bodies = now_bodies;
    }

  /* The test means nothing if the writer always finished first. */
  g_assert_cmpuint (killed, >=, G_N_ELEMENTS (delays_ms) / 2);
  g_assert_cmpint (bodies, >, 0);

  store_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dir = g_path_get_dirname (argv[0]);
  g_autofree char *default_writer = g_build_filename (dir, "store-writer", NULL);

  g_test_init (&argc, &argv, NULL);

  /* meson passes the helper's path; run by hand, it sits next to us. */
  writer_path = argc > 1 ? argv[1] : default_writer;

  g_test_add_func ("/buzon/store/crash/mid-write", test_crash_mid_write);

  return g_test_run ();
}
