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
void          _buzon_bind_text               (BuzonStmt        *stmt,
                                              int               column,
                                              const char       *text);
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
void          _buzon_store_note_change       (BuzonStore       *self,
                                              guint             signal,
                                              gint64            id);

BuzonStoreConn *_buzon_store_read_lock       (BuzonStore       *self);
void          _buzon_store_read_unlock       (BuzonStore       *self);

/* Runs @func in the single write thread; takes @task. */
void          _buzon_store_run_in_writer     (BuzonStore       *self,
                                              GTask            *task,
                                              GTaskThreadFunc   func);

gboolean      _buzon_store_insert_op         (BuzonStore       *self,
                                              BuzonStoreConn   *conn,
                                              BuzonPendingOp   *op,
                                              GError          **error);
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

/* buzon-store-migrate.c */
guint         _buzon_store_latest_version    (void);
GBytes       *_buzon_store_load_script       (guint             version,
                                              GError          **error);
gboolean      _buzon_store_migrate           (BuzonStoreConn   *conn,
                                              GError          **error);

G_END_DECLS
