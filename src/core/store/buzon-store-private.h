/* buzon-store-private.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "buzon-store.h"

G_BEGIN_DECLS

/* The GResource path of the numbered migration scripts (data/sql/). */
#define BUZON_STORE_SQL_RESOURCE_DIR "/io/github/buzonmail/Buzon/store/sql/"

/* 'Buzn', set by version-001.sql: tells our files from other SQLite files. */
#define BUZON_STORE_APPLICATION_ID 1114995310

/* One SQLite connection, its cache of prepared statements and the lock that
 * gives one thread at a time the right to use both. SQLite is also opened in
 * serialized mode (SQLITE_OPEN_FULLMUTEX), but only our lock keeps a whole
 * transaction, or a statement's step/reset cycle, to one thread. */
typedef struct
{
  GMutex      lock;
  sqlite3    *db;
  GHashTable *stmts;   /* SQL text (static) → sqlite3_stmt */
  const char *path;    /* the owner's, for error messages */
} BuzonStoreConn;

/* A signal to emit once the transaction that caused it has committed. */
typedef struct
{
  guint  signal;
  gint64 id;
} BuzonStoreChange;

enum {
  BUZON_STORE_SIGNAL_ACCOUNTS_CHANGED,
  BUZON_STORE_SIGNAL_FOLDERS_CHANGED,
  BUZON_STORE_SIGNAL_MESSAGES_CHANGED,
  BUZON_STORE_SIGNAL_OUTBOX_CHANGED,
  BUZON_STORE_SIGNAL_QUOTA_CHANGED,
  BUZON_STORE_N_SIGNALS
};

struct _BuzonStore
{
  GObject         parent_instance;

  char           *path;
  GMainContext   *context;       /* where signals are emitted */

  /* All writes go through the writer, in transactions, from the caller's
   * thread (sync API) or the single write thread (async API). */
  BuzonStoreConn  writer;
  gboolean        durable;       /* the open transaction commits with fsync; writer.lock */
  GArray         *changes;       /* BuzonStoreChange, of the open transaction; writer.lock */
  GThreadPool    *write_pool;    /* max_threads 1: async writes run in order */

  /* Reads, PRAGMA query_only. WAL lets them run during a write. */
  BuzonStoreConn  reader;
};

/* A cached statement, reset and unbound again when it goes out of scope:
 * g_autoptr(BuzonStmt) stmt = _buzon_store_prepare (conn, "…", error); */
typedef sqlite3_stmt BuzonStmt;
void          _buzon_stmt_release            (BuzonStmt        *stmt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonStmt, _buzon_stmt_release)

/* Makes a new record (folder, summary, …) of the statement's current row. */
typedef gpointer (*BuzonStoreRowFunc)        (BuzonStmt        *stmt);
/* Called for each row of a read; @stmt is on the row. */
typedef void     (*BuzonStoreEachFunc)       (BuzonStmt        *stmt,
                                              gpointer          user_data);

gboolean      _buzon_store_set_error         (BuzonStoreConn   *conn,
                                              int               rc,
                                              GError          **error);
BuzonStmt    *_buzon_store_prepare           (BuzonStoreConn   *conn,
                                              const char       *sql,
                                              GError          **error);
gboolean      _buzon_store_exec              (BuzonStoreConn   *conn,
                                              const char       *sql,
                                              GError          **error);
gboolean      _buzon_store_step_done         (BuzonStoreConn   *conn,
                                              BuzonStmt        *stmt,
                                              GError          **error);
gboolean      _buzon_store_step_row          (BuzonStoreConn   *conn,
                                              BuzonStmt        *stmt,
                                              gboolean         *out_row,
                                              GError          **error);
/* The @not_found and @exists messages below are printf formats, like
 * g_set_error()'s, marked with N_(): they are translated only when the
 * error is set. One without arguments is still a format: mark it with an
 * xgettext:c-format comment too, so msgfmt checks its translations.
 *
 * Steps to the first row: TRUE on it. FALSE on failure, or when there is no
 * row, then with %BUZON_STORE_ERROR_NOT_FOUND and the message @not_found
 * unless that is NULL. */
gboolean      _buzon_store_step_first        (BuzonStoreConn   *conn,
                                              BuzonStmt        *stmt,
                                              GError          **error,
                                              const char       *not_found,
                                              ...) G_GNUC_PRINTF (4, 5);
/* Runs a statement as _buzon_store_step_done() does, but reports a UNIQUE
 * constraint failure as %BUZON_STORE_ERROR_EXISTS with the message @exists. */
gboolean      _buzon_store_step_unique       (BuzonStoreConn   *conn,
                                              BuzonStmt        *stmt,
                                              GError          **error,
                                              const char       *exists,
                                              ...) G_GNUC_PRINTF (4, 5);
/* Prepares @sql, binds @id to ?1 and steps to the first row. Returns the
 * statement on that row, to read and release (g_autoptr), or NULL on failure
 * or, with NOT_FOUND and the message @not_found, when there is no row. */
BuzonStmt    *_buzon_store_query_id          (BuzonStoreConn   *conn,
                                              const char       *sql,
                                              gint64            id,
                                              GError          **error,
                                              const char       *not_found,
                                              ...) G_GNUC_PRINTF (5, 6);

/* Binding text and bytes. SQLite reads bound memory when the statement is
 * stepped, and may again until it is reset: _buzon_bind_text() and
 * _buzon_bind_bytes() copy, and are what to use. The _static variants do not
 * copy; use them only where copying costs (batches, message bodies) and the
 * memory is plainly the caller's until the statement is released: a field
 * of an argument, not a temporary, and never a g_autofree local of a helper
 * that returns before the statement runs. NULL text binds NULL. */
void          _buzon_bind_text               (BuzonStmt        *stmt,
                                              int               column,
                                              const char       *text);
void          _buzon_bind_text_static        (BuzonStmt        *stmt,
                                              int               column,
                                              const char       *text);
void          _buzon_bind_bytes              (BuzonStmt        *stmt,
                                              int               column,
                                              GBytes           *bytes);
void          _buzon_bind_bytes_static       (BuzonStmt        *stmt,
                                              int               column,
                                              GBytes           *bytes);
char         *_buzon_column_dup_text         (BuzonStmt        *stmt,
                                              int               column);
gint64        _buzon_store_now               (void);

/* Locks the writer and opens an IMMEDIATE transaction; NULL (unlocked) on failure.
 * A durable transaction is fsynced at commit (synchronous=FULL for it). */
BuzonStoreConn *_buzon_store_write_begin     (BuzonStore       *self,
                                              gboolean          durable,
                                              GError          **error);
/* Commits if @ok (returning whether that worked) or rolls back, unlocks, and
 * after a commit emits the changes noted meanwhile. */
gboolean      _buzon_store_write_end         (BuzonStore       *self,
                                              gboolean          ok,
                                              GError          **error);
/* Ends a user action's transaction as _buzon_store_write_end() does, having
 * enqueued @op in it (if not NULL); on failure @op is not enqueued, id 0. */
gboolean      _buzon_store_write_end_with_op (BuzonStore       *self,
                                              gboolean          ok,
                                              BuzonPendingOp   *op,
                                              GError          **error);
void          _buzon_store_note_change       (BuzonStore       *self,
                                              guint             signal,
                                              gint64            id);

/* A write that is one statement, in a transaction of its own:
 *
 *   stmt = _buzon_store_write_stmt_begin (self, "UPDATE …", error);
 *   if (stmt == NULL)
 *     return FALSE;
 *   …bind, maybe _buzon_store_note_change()…
 *   return _buzon_store_write_stmt_end (self, stmt, error, not_found, …);
 *
 * Begin fails with no transaction open. End runs the statement, releases it
 * and commits; it rolls back if the statement failed or, when @not_found is
 * not NULL, changed no row (then NOT_FOUND with that message). Changes noted
 * in between are emitted only after a commit. */
BuzonStmt    *_buzon_store_write_stmt_begin  (BuzonStore       *self,
                                              const char       *sql,
                                              GError          **error);
gboolean      _buzon_store_write_stmt_end    (BuzonStore       *self,
                                              BuzonStmt        *stmt,
                                              GError          **error,
                                              const char       *not_found,
                                              ...) G_GNUC_PRINTF (4, 5);

/* A read, on the reader connection:
 *
 *   stmt = _buzon_store_read_begin (self, "SELECT …", error);
 *   if (stmt == NULL)
 *     return NULL;
 *   …bind…
 *   return _buzon_store_read_rows (self, stmt, thing_from_row, thing_free, error);
 *
 * Begin locks the reader (and leaves it unlocked when it fails). Each of
 * _each, _rows and _row then runs the statement, releases it and unlocks, so
 * exactly one of them follows a successful begin. _each calls @func for
 * every row, with the reader locked (@func must not use the store); _rows
 * returns the records @decode makes, NULL on failure; _row returns the first
 * row's record, or NULL on failure or when there is no row (then NOT_FOUND
 * with @not_found, unless that is NULL). */
BuzonStmt    *_buzon_store_read_begin        (BuzonStore       *self,
                                              const char       *sql,
                                              GError          **error);
gboolean      _buzon_store_read_each         (BuzonStore       *self,
                                              BuzonStmt        *stmt,
                                              BuzonStoreEachFunc func,
                                              gpointer          user_data,
                                              GError          **error);
GPtrArray    *_buzon_store_read_rows         (BuzonStore       *self,
                                              BuzonStmt        *stmt,
                                              BuzonStoreRowFunc decode,
                                              GDestroyNotify    free_func,
                                              GError          **error);
gpointer      _buzon_store_read_row          (BuzonStore       *self,
                                              BuzonStmt        *stmt,
                                              BuzonStoreRowFunc decode,
                                              GError          **error,
                                              const char       *not_found,
                                              ...) G_GNUC_PRINTF (5, 6);

/* Runs @func in the single write thread; takes @task. */
void          _buzon_store_run_in_writer     (BuzonStore       *self,
                                              GTask            *task,
                                              GTaskThreadFunc   func);

gboolean      _buzon_store_upsert_messages_locked (BuzonStore       *self,
                                              BuzonStoreConn   *conn,
                                              GPtrArray        *summaries,
                                              GError          **error);
gboolean      _buzon_store_flush_fts         (BuzonStoreConn   *conn,
                                              GError          **error);
gboolean      _buzon_store_set_body_locked   (BuzonStore       *self,
                                              BuzonStoreConn   *conn,
                                              gint64            message_id,
                                              GBytes           *raw,
                                              const char       *body_text,
                                              GError          **error);

/* The columns _buzon_store_summary_from_row() reads, in its order; the
 * same of a table named m, for joins. */
#define BUZON_STORE_SUMMARY_COLUMNS \
  "id, folder_id, uid, message_id, in_reply_to, refs, subject, from_addr, to_addrs, cc_addrs, " \
  "date, internal_date, size, flags, keywords, has_attachments, preview, body_state, thread_id"
#define BUZON_STORE_SUMMARY_COLUMNS_M \
  "m.id, m.folder_id, m.uid, m.message_id, m.in_reply_to, m.refs, m.subject, m.from_addr, " \
  "m.to_addrs, m.cc_addrs, m.date, m.internal_date, m.size, m.flags, m.keywords, " \
  "m.has_attachments, m.preview, m.body_state, m.thread_id"
/* How many columns those are: a join's own columns come after them. */
#define BUZON_STORE_SUMMARY_N_COLUMNS 19

gpointer      _buzon_store_summary_from_row  (BuzonStmt        *stmt);

/* buzon-store-mail.c */
void          _buzon_store_append_id_cb      (BuzonStmt        *stmt,
                                              gpointer          user_data);
G_GNUC_WARN_UNUSED_RESULT
char         *_buzon_store_ids_to_json       (const gint64     *ids,
                                              guint             n_ids);

/* buzon-store-threads.c */
/* @self (nullable) is told which folders a merge of threads changed. */
gboolean      _buzon_store_thread_message_locked (BuzonStore *self,
                                              BuzonStoreConn   *conn,
                                              gint64            message_id,
                                              GError          **error);
gboolean      _buzon_store_thread_new_locked (BuzonStore       *self,
                                              BuzonStoreConn   *conn,
                                              gint64            account_id,
                                              const BuzonMessageSummary *summary,
                                              const char       *subject,
                                              GError          **error);
gboolean      _buzon_store_thread_all_locked (BuzonStoreConn   *conn,
                                              GError          **error);
gboolean      _buzon_store_recount_threads_locked (BuzonStoreConn *conn,
                                              gint64            folder_id,
                                              GError          **error);
char         *_buzon_store_thread_subject    (const char       *subject);
gboolean      _buzon_store_parse_message_ids (const char       *text,
                                              GPtrArray        *ids);

/* buzon-store-migrate.c */
guint         _buzon_store_latest_version    (void);
GBytes       *_buzon_store_load_script       (guint             version,
                                              GError          **error);
gboolean      _buzon_store_migrate           (BuzonStoreConn   *conn,
                                              GError          **error);

G_END_DECLS
