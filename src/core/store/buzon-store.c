/* buzon-store.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/**
 * BuzonStore:
 *
 * The message store: one SQLite database per profile, by default
 * `$XDG_DATA_HOME/buzon/buzon.db`, holding the accounts, their folders,
 * message summaries and bodies, POP3 UIDL bookkeeping, the pending-operation
 * queue, the outbox, certificate pins and a full-text index. It is the single
 * source of truth for the UI: network results are written here and the UI's
 * models observe the #BuzonStore::accounts-changed,
 * #BuzonStore::folders-changed and #BuzonStore::messages-changed signals.
 *
 * The directory is created 0700 and the database files are 0600, whatever
 * the umask. The schema comes from the numbered scripts in `data/sql/`
 * (see buzon-store-migrate.c).
 *
 * Threads: the store owns two connections. The writer runs every write in a
 * transaction, from the caller's thread for the synchronous API or from a
 * single write thread for the `_async` API, so asynchronous writes happen
 * in the order they were asked for and never on the UI thread. The reader is
 * query-only; thanks to WAL it reads committed data while a write is under
 * way. Each connection is used by one thread at a time, under its own lock.
 * Signals are emitted on the thread-default main context of the thread that
 * opened the store, after the transaction that caused them committed.
 *
 * Crash safety of bodies: a message's raw bytes are written to
 * `message_bodies` in the same transaction that sets its body state to
 * %BUZON_BODY_STATE_FULL. SQLite commits atomically (in WAL mode a
 * transaction counts only once its commit frame is in the log), so after a
 * crash or power cut either both are stored or neither is; a half-written
 * body never counts as stored. Readers rely on the body state, never on the
 * mere presence of a body row. The same holds for every batch: a batch of
 * summaries is one transaction, all of it or nothing. Writes use
 * `synchronous=NORMAL`: a crash of the program loses nothing committed, a
 * power cut may lose the last commits but never breaks the database. Where
 * Buzón must be sure the bytes are on disk before telling a server to delete
 * them (POP3), buzon_store_pop3_save_message() commits with a full fsync.
 */

#define G_LOG_DOMAIN "buzon-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "buzon-store-private.h"
#include "buzon-account-enums.h"

static void buzon_store_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BuzonStore, buzon_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      buzon_store_initable_iface_init))

G_DEFINE_QUARK (buzon-store-error-quark, buzon_store_error)

enum {
  PROP_0,
  PROP_PATH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];
static guint signals[BUZON_STORE_N_SIGNALS];

/* Set while a job runs in the write thread: the job's last reference to its
 * task may be the store's last reference too, and then dispose must not wait
 * for the write thread to finish, being that thread. */
static GPrivate in_write_thread;

typedef struct
{
  GTask           *task;
  GTaskThreadFunc  func;
} WriteJob;

typedef struct
{
  BuzonStore *store;
  GArray     *changes;
} ChangeBatch;

/* Statements and errors */

void
_buzon_stmt_release (BuzonStmt *stmt)
{
  if (stmt == NULL)
    return;

  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

/* Turns a SQLite result code into a sentence the user can act on. Always
 * returns FALSE, so callers can `return _buzon_store_set_error (…);`. */
gboolean
_buzon_store_set_error (BuzonStoreConn  *conn,
                        int              rc,
                        GError         **error)
{
  const char *detail = conn->db != NULL ? sqlite3_errmsg (conn->db) : sqlite3_errstr (rc);
  const char *path = conn->path != NULL ? conn->path : "";

  g_debug ("SQLite error %d on %s: %s", rc, path, detail);

  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      g_set_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_FAILED,
                   _("The disk is full, so Buzón could not save to its mail store at “%s”. "
                     "Free some space and try again."),
                   path);
      break;

    case SQLITE_IOERR:
      g_set_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_FAILED,
                   _("Buzón could not read or write its mail store at “%s”: the disk reported "
                     "an input/output error. The disk may be full or failing."),
                   path);
      break;

    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      g_set_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_CORRUPT,
                   _("The mail store at “%s” is damaged or is not a Buzón mail store."),
                   path);
      break;

    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
    case SQLITE_AUTH:
      g_set_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_FAILED,
                   _("Buzón cannot open or write its mail store at “%s”. Check that the "
                     "folder exists and that you may write to it."),
                   path);
      break;

    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      g_set_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_FAILED,
                   _("The mail store at “%s” is in use by another program and did not become "
                     "free in time. Try again."),
                   path);
      break;

    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
        g_set_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND,
                     _("The account, folder or message this change refers to is not in the "
                       "mail store (any more)."));
      else
        g_set_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_FAILED,
                     _("The mail store refused a change that would make it inconsistent: %s"),
                     detail);
      break;

    case SQLITE_NOMEM:
      g_set_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_FAILED,
                   _("Buzón ran out of memory while using its mail store."));
      break;

    default:
      g_set_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_FAILED,
                   _("The mail store at “%s” reported an error: %s"),
                   path, detail);
      break;
    }

  return FALSE;
}

/* Returns the connection's cached statement for @sql, which must be a string
 * that lives forever (a literal): it is the cache's key. */
BuzonStmt *
_buzon_store_prepare (BuzonStoreConn  *conn,
                      const char      *sql,
                      GError         **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = g_hash_table_lookup (conn->stmts, sql);
  if (stmt != NULL)
    return stmt;

  rc = sqlite3_prepare_v3 (conn->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      _buzon_store_set_error (conn, rc, error);
      return NULL;
    }

  g_hash_table_insert (conn->stmts, (gpointer)sql, stmt);

  return stmt;
}

gboolean
_buzon_store_exec (BuzonStoreConn  *conn,
                   const char      *sql,
                   GError         **error)
{
  int rc = sqlite3_exec (conn->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return _buzon_store_set_error (conn, rc, error);

  return TRUE;
}

/* Runs a statement that returns no rows (or whose first row, with
 * RETURNING, the caller reads next). */
gboolean
_buzon_store_step_done (BuzonStoreConn  *conn,
                        BuzonStmt       *stmt,
                        GError         **error)
{
  gboolean row;

  return _buzon_store_step_row (conn, stmt, &row, error);
}

gboolean
_buzon_store_step_row (BuzonStoreConn  *conn,
                       BuzonStmt       *stmt,
                       gboolean        *out_row,
                       GError         **error)
{
  int rc = sqlite3_step (stmt);

  *out_row = rc == SQLITE_ROW;
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return _buzon_store_set_error (conn, rc, error);

  return TRUE;
}

/* g_set_error() with a va_list and a format marked with N_(), translated
 * here: lookups that find what they look for never pay for gettext. */
G_GNUC_PRINTF (3, 0)
static void
set_error_valist (GError           **error,
                  BuzonStoreError    code,
                  const char        *format,
                  va_list            args)
{
  if (error != NULL)
    g_propagate_error (error, g_error_new_valist (BUZON_STORE_ERROR, code, _(format), args));
}

/* Steps to the first row: TRUE on it, FALSE on failure or when there is
 * none, then with NOT_FOUND (@not_found, args) unless @not_found is NULL. */
G_GNUC_PRINTF (4, 0)
static gboolean
step_first_valist (BuzonStoreConn  *conn,
                   BuzonStmt       *stmt,
                   GError         **error,
                   const char      *not_found,
                   va_list          args)
{
  gboolean row = FALSE;

  if (!_buzon_store_step_row (conn, stmt, &row, error))
    return FALSE;

  if (!row && not_found != NULL)
    set_error_valist (error, BUZON_STORE_ERROR_NOT_FOUND, not_found, args);

  return row;
}

gboolean
_buzon_store_step_first (BuzonStoreConn  *conn,
                         BuzonStmt       *stmt,
                         GError         **error,
                         const char      *not_found,
                         ...)
{
  va_list args;
  gboolean row;

  va_start (args, not_found);
  row = step_first_valist (conn, stmt, error, not_found, args);
  va_end (args);

  return row;
}

gboolean
_buzon_store_step_unique (BuzonStoreConn  *conn,
                          BuzonStmt       *stmt,
                          GError         **error,
                          const char      *exists,
                          ...)
{
  int rc = sqlite3_step (stmt);
  va_list args;

  if (rc == SQLITE_CONSTRAINT_UNIQUE)
    {
      va_start (args, exists);
      set_error_valist (error, BUZON_STORE_ERROR_EXISTS, exists, args);
      va_end (args);
      return FALSE;
    }

  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return _buzon_store_set_error (conn, rc, error);

  return TRUE;
}

BuzonStmt *
_buzon_store_query_id (BuzonStoreConn  *conn,
                       const char      *sql,
                       gint64           id,
                       GError         **error,
                       const char      *not_found,
                       ...)
{
  BuzonStmt *stmt = _buzon_store_prepare (conn, sql, error);
  va_list args;
  gboolean row;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, id);

  va_start (args, not_found);
  row = step_first_valist (conn, stmt, error, not_found, args);
  va_end (args);

  if (!row)
    {
      _buzon_stmt_release (stmt);
      return NULL;
    }

  return stmt;
}

/* Binding; see the lifetime rule in buzon-store-private.h. */

static void
bind_text (BuzonStmt               *stmt,
           int                      column,
           const char              *text,
           sqlite3_destructor_type  lifetime)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, column);
  else
    sqlite3_bind_text (stmt, column, text, -1, lifetime);
}

/* An empty GBytes may have no data pointer, which SQLite would bind as NULL:
 * an empty blob is bound as a zero-length zeroblob instead. */
static void
bind_bytes (BuzonStmt               *stmt,
            int                      column,
            GBytes                  *bytes,
            sqlite3_destructor_type  lifetime)
{
  gsize size;
  gconstpointer data = g_bytes_get_data (bytes, &size);

  if (size > 0)
    sqlite3_bind_blob64 (stmt, column, data, size, lifetime);
  else
    sqlite3_bind_zeroblob (stmt, column, 0);
}

void
_buzon_bind_text (BuzonStmt  *stmt,
                  int         column,
                  const char *text)
{
  bind_text (stmt, column, text, SQLITE_TRANSIENT);
}

void
_buzon_bind_text_static (BuzonStmt  *stmt,
                         int         column,
                         const char *text)
{
  bind_text (stmt, column, text, SQLITE_STATIC);
}

void
_buzon_bind_bytes (BuzonStmt *stmt,
                   int        column,
                   GBytes    *bytes)
{
  bind_bytes (stmt, column, bytes, SQLITE_TRANSIENT);
}

void
_buzon_bind_bytes_static (BuzonStmt *stmt,
                          int        column,
                          GBytes    *bytes)
{
  bind_bytes (stmt, column, bytes, SQLITE_STATIC);
}

char *
_buzon_column_dup_text (BuzonStmt *stmt,
                        int        column)
{
  return g_strdup ((const char *)sqlite3_column_text (stmt, column));
}

gint64
_buzon_store_now (void)
{
  return buzon_store_now ();
}

/**
 * buzon_store_now:
 *
 * The clock of the store and of what counts days against it (POP3's "keep
 * N days"): seconds since the epoch. The environment variable
 * `BUZON_TEST_NOW` (seconds since the epoch, or `+SECONDS` from now)
 * overrides it, so tests can move time forward.
 *
 * Returns: the time now
 */
gint64
buzon_store_now (void)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const char *fake = g_getenv ("BUZON_TEST_NOW");

  if (fake != NULL && *fake != '\0')
    {
      gboolean relative = *fake == '+';
      char *end = NULL;
      gint64 value = g_ascii_strtoll (relative ? fake + 1 : fake, &end, 10);

      if (end != NULL && *end == '\0' && value >= 0)
        return relative ? now + value : value;
    }

  return now;
}

/* Connections */

static void
stmt_finalize (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
conn_init (BuzonStoreConn *conn)
{
  g_mutex_init (&conn->lock);
  conn->stmts = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, stmt_finalize);
}

static void
conn_clear (BuzonStoreConn *conn)
{
  g_clear_pointer (&conn->stmts, g_hash_table_destroy);

  if (conn->db != NULL)
    {
      int rc = sqlite3_close (conn->db);

      if (rc != SQLITE_OK)
        g_critical ("Closing the mail store failed: %s", sqlite3_errstr (rc));
      conn->db = NULL;
    }

  g_mutex_clear (&conn->lock);
}

static gboolean
conn_open (BuzonStoreConn  *conn,
           const char      *path,
           gboolean         query_only,
           GError         **error)
{
  int rc;

  conn->path = path;

  /* FULLMUTEX on top of our own locks: belt and braces, and it keeps
   * sqlite3_errmsg() consistent with the call that failed. */
  rc = sqlite3_open_v2 (path, &conn->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    return _buzon_store_set_error (conn, rc, error);

  sqlite3_extended_result_codes (conn->db, 1);
  sqlite3_busy_timeout (conn->db, 10000);

  if (!query_only)
    {
      g_autoptr(BuzonStmt) stmt = _buzon_store_prepare (conn, "PRAGMA journal_mode = WAL", error);

      if (stmt == NULL)
        return FALSE;

      /* Switching to WAL needs the file to itself for a moment, and while
       * another connection reads it SQLite answers SQLITE_BUSY at once
       * instead of waiting (to avoid deadlocks): two Buzóns starting
       * together on a new store. Wait here instead, as long as busy_timeout. */
      for (guint attempt = 0; (rc = sqlite3_step (stmt)) != SQLITE_ROW; attempt++)
        {
          if ((rc & 0xff) != SQLITE_BUSY || attempt >= 500)
            return _buzon_store_set_error (conn, rc, error);

          sqlite3_reset (stmt);
          g_usleep (20 * 1000);
        }

      /* WAL needs shared memory; some network file systems lack it. The
       * store still works with a rollback journal, only less concurrently. */
      if (g_ascii_strcasecmp ((const char *)sqlite3_column_text (stmt, 0), "wal") != 0)
        g_debug ("The mail store at %s could not switch to WAL mode", path);
    }

  if (!_buzon_store_exec (conn,
                          "PRAGMA foreign_keys = ON;"
                          "PRAGMA synchronous = NORMAL;"
                          "PRAGMA cache_size = -16384;"
                          "PRAGMA journal_size_limit = 67108864;",
                          error))
    return FALSE;

  if (query_only && !_buzon_store_exec (conn, "PRAGMA query_only = ON", error))
    return FALSE;

  return TRUE;
}

/* Files and permissions */

/* Gives an existing file mode 0600 if it is ours. SQLite creates the -wal
 * and -shm files with the database's own mode, whatever the umask, so this
 * matters only for files left by something else. */
static gboolean
restrict_file (const char  *path,
               GError     **error)
{
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    return TRUE;

  if (!S_ISREG (st.st_mode) || st.st_uid != geteuid () || (st.st_mode & 0777) == 0600)
    return TRUE;

  if (g_chmod (path, 0600) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_FAILED,
                   _("Could not make the mail store file “%s” private: %s."),
                   path, g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

/* Creates the directory 0700 and the database file 0600 before SQLite opens
 * it, so no umask can leave mail readable by others. An existing directory
 * is made 0700 only when it is ours: the default one, or one we created. */
static gboolean
prepare_files (const char  *path,
               gboolean     own_dir,
               GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  const char *suffixes[] = { "", "-wal", "-shm" };
  int saved_errno;
  int fd;

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          saved_errno = errno;
          g_set_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_FAILED,
                       _("Could not create the folder “%s” for the mail store: %s."),
                       dir, g_strerror (saved_errno));
          return FALSE;
        }
      own_dir = TRUE;
    }

  if (own_dir && g_chmod (dir, 0700) != 0)
    {
      saved_errno = errno;
      g_set_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_FAILED,
                   _("Could not make the folder “%s” private: %s."),
                   dir, g_strerror (saved_errno));
      return FALSE;
    }

  /* Created 0600 & ~umask here; restrict_file() below sets exactly 0600. */
  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      saved_errno = errno;
      g_set_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_FAILED,
                   _("Could not open the mail store “%s”: %s."),
                   path, g_strerror (saved_errno));
      return FALSE;
    }
  close (fd);

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      if (!restrict_file (file, error))
        return FALSE;
    }

  return TRUE;
}

/* Transactions and change signals */

BuzonStoreConn *
_buzon_store_write_begin (BuzonStore  *self,
                          gboolean     durable,
                          GError     **error)
{
  g_mutex_lock (&self->writer.lock);

  /* In WAL mode synchronous=FULL fsyncs the log at each commit; NORMAL
   * only at checkpoints. It cannot change inside a transaction. */
  if (durable && !_buzon_store_exec (&self->writer, "PRAGMA synchronous = FULL", error))
    goto fail;
  self->durable = durable;

  if (!_buzon_store_exec (&self->writer, "BEGIN IMMEDIATE", error))
    {
      if (durable)
        _buzon_store_exec (&self->writer, "PRAGMA synchronous = NORMAL", NULL);
      self->durable = FALSE;
      goto fail;
    }

  g_array_set_size (self->changes, 0);

  return &self->writer;

fail:
  g_mutex_unlock (&self->writer.lock);
  return NULL;
}

static gboolean
emit_changes_cb (gpointer user_data)
{
  ChangeBatch *batch = user_data;

  for (guint i = 0; i < batch->changes->len; i++)
    {
      const BuzonStoreChange *change = &g_array_index (batch->changes, BuzonStoreChange, i);

      if (change->signal == BUZON_STORE_SIGNAL_ACCOUNTS_CHANGED ||
          change->signal == BUZON_STORE_SIGNAL_OUTBOX_CHANGED)
        g_signal_emit (batch->store, signals[change->signal], 0);
      else
        g_signal_emit (batch->store, signals[change->signal], 0, change->id);
    }

  return G_SOURCE_REMOVE;
}

static void
change_batch_free (gpointer data)
{
  ChangeBatch *batch = data;

  g_object_unref (batch->store);
  g_array_unref (batch->changes);
  g_free (batch);
}

gboolean
_buzon_store_write_end (BuzonStore  *self,
                        gboolean     ok,
                        GError     **error)
{
  GArray *changes = NULL;

  /* The full-text index catches up inside the transaction it belongs to. */
  if (ok)
    ok = _buzon_store_flush_fts (&self->writer, error) &&
         _buzon_store_exec (&self->writer, "COMMIT", error);

  /* A failed COMMIT (disk full, busy) may leave the transaction open. */
  if (!ok && !sqlite3_get_autocommit (self->writer.db))
    {
      g_autoptr(GError) rollback_error = NULL;

      if (!_buzon_store_exec (&self->writer, "ROLLBACK", &rollback_error))
        g_debug ("Rollback failed: %s", rollback_error->message);
    }

  if (self->durable)
    {
      _buzon_store_exec (&self->writer, "PRAGMA synchronous = NORMAL", NULL);
      self->durable = FALSE;
    }

  if (ok && self->changes->len > 0)
    {
      changes = self->changes;
      self->changes = g_array_new (FALSE, FALSE, sizeof (BuzonStoreChange));
    }
  else
    {
      g_array_set_size (self->changes, 0);
    }

  g_mutex_unlock (&self->writer.lock);

  /* Outside the lock: handlers may well read or write the store. */
  if (changes != NULL)
    {
      ChangeBatch *batch = g_new0 (ChangeBatch, 1);

      batch->store = g_object_ref (self);
      batch->changes = changes;
      g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT,
                                  emit_changes_cb, batch, change_batch_free);
    }

  return ok;
}

void
_buzon_store_note_change (BuzonStore *self,
                          guint       signal,
                          gint64      id)
{
  BuzonStoreChange change = { signal, id };

  for (guint i = 0; i < self->changes->len; i++)
    {
      const BuzonStoreChange *other = &g_array_index (self->changes, BuzonStoreChange, i);

      if (other->signal == signal && other->id == id)
        return;
    }

  g_array_append_val (self->changes, change);
}

BuzonStmt *
_buzon_store_write_stmt_begin (BuzonStore  *self,
                               const char  *sql,
                               GError     **error)
{
  BuzonStoreConn *w = _buzon_store_write_begin (self, FALSE, error);
  BuzonStmt *stmt;

  if (w == NULL)
    return NULL;

  stmt = _buzon_store_prepare (w, sql, error);
  if (stmt == NULL)
    _buzon_store_write_end (self, FALSE, NULL);

  return stmt;
}

gboolean
_buzon_store_write_stmt_end (BuzonStore  *self,
                             BuzonStmt   *stmt,
                             GError     **error,
                             const char  *not_found,
                             ...)
{
  gboolean ok = _buzon_store_step_done (&self->writer, stmt, error);

  /* Before the commit: flushing the search index changes rows too. */
  if (ok && not_found != NULL && sqlite3_changes (self->writer.db) == 0)
    {
      va_list args;

      va_start (args, not_found);
      set_error_valist (error, BUZON_STORE_ERROR_NOT_FOUND, not_found, args);
      va_end (args);
      ok = FALSE;
    }

  /* A statement still running would keep the transaction from committing. */
  _buzon_stmt_release (stmt);

  return _buzon_store_write_end (self, ok, error);
}

/* Reads */

BuzonStmt *
_buzon_store_read_begin (BuzonStore  *self,
                         const char  *sql,
                         GError     **error)
{
  BuzonStmt *stmt;

  g_mutex_lock (&self->reader.lock);

  stmt = _buzon_store_prepare (&self->reader, sql, error);
  if (stmt == NULL)
    g_mutex_unlock (&self->reader.lock);

  return stmt;
}

/* Resetting the statement ends the read transaction it holds open, before
 * another thread may use the reader. */
static void
read_end (BuzonStore *self,
          BuzonStmt  *stmt)
{
  _buzon_stmt_release (stmt);
  g_mutex_unlock (&self->reader.lock);
}

gboolean
_buzon_store_read_each (BuzonStore          *self,
                        BuzonStmt           *stmt,
                        BuzonStoreEachFunc   func,
                        gpointer             user_data,
                        GError             **error)
{
  gboolean row = FALSE;
  gboolean ok;

  while ((ok = _buzon_store_step_row (&self->reader, stmt, &row, error)) && row)
    func (stmt, user_data);

  read_end (self, stmt);

  return ok;
}

typedef struct
{
  BuzonStoreRowFunc  decode;
  GPtrArray         *rows;
} RowCollector;

static void
collect_row_cb (BuzonStmt *stmt,
                gpointer   user_data)
{
  RowCollector *collector = user_data;

  g_ptr_array_add (collector->rows, collector->decode (stmt));
}

GPtrArray *
_buzon_store_read_rows (BuzonStore         *self,
                        BuzonStmt          *stmt,
                        BuzonStoreRowFunc   decode,
                        GDestroyNotify      free_func,
                        GError            **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (free_func);
  RowCollector collector = { decode, rows };

  if (!_buzon_store_read_each (self, stmt, collect_row_cb, &collector, error))
    return NULL;

  return g_steal_pointer (&rows);
}

gpointer
_buzon_store_read_row (BuzonStore         *self,
                       BuzonStmt          *stmt,
                       BuzonStoreRowFunc   decode,
                       GError            **error,
                       const char         *not_found,
                       ...)
{
  gpointer record = NULL;
  va_list args;

  va_start (args, not_found);
  if (step_first_valist (&self->reader, stmt, error, not_found, args))
    record = decode (stmt);
  va_end (args);

  read_end (self, stmt);

  return record;
}

/* The write thread */

static void
write_pool_func (gpointer data,
                 gpointer user_data)
{
  WriteJob *job = data;

  g_private_set (&in_write_thread, GINT_TO_POINTER (1));

  if (!g_task_return_error_if_cancelled (job->task))
    job->func (job->task,
               g_task_get_source_object (job->task),
               g_task_get_task_data (job->task),
               g_task_get_cancellable (job->task));

  g_object_unref (job->task);
  g_free (job);

  g_private_set (&in_write_thread, NULL);
}

void
_buzon_store_run_in_writer (BuzonStore      *self,
                            GTask           *task,
                            GTaskThreadFunc  func)
{
  WriteJob *job = g_new0 (WriteJob, 1);

  job->task = task;
  job->func = func;
  g_thread_pool_push (self->write_pool, job, NULL);
}

/* GObject */

static void
buzon_store_dispose (GObject *object)
{
  BuzonStore *self = (BuzonStore *)object;

  /* Every queued job holds a reference, so none is left by now. */
  if (self->write_pool != NULL)
    {
      gboolean in_pool = g_private_get (&in_write_thread) != NULL;

      g_thread_pool_free (g_steal_pointer (&self->write_pool), FALSE, !in_pool);
    }

  G_OBJECT_CLASS (buzon_store_parent_class)->dispose (object);
}

static void
buzon_store_finalize (GObject *object)
{
  BuzonStore *self = (BuzonStore *)object;

  conn_clear (&self->reader);
  conn_clear (&self->writer);
  g_clear_pointer (&self->changes, g_array_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (buzon_store_parent_class)->finalize (object);
}

static void
buzon_store_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  BuzonStore *self = BUZON_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
buzon_store_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  BuzonStore *self = BUZON_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_assert (self->path == NULL);
      self->path = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static gboolean
buzon_store_initable_init (GInitable     *initable,
                           GCancellable  *cancellable,
                           GError       **error)
{
  BuzonStore *self = BUZON_STORE (initable);
  g_autofree char *default_path = buzon_store_default_path ();
  gboolean own_dir;

  if (self->path == NULL)
    self->path = g_strdup (default_path);
  own_dir = g_strcmp0 (self->path, default_path) == 0;

  if (!prepare_files (self->path, own_dir, error))
    return FALSE;

  if (!conn_open (&self->writer, self->path, FALSE, error) ||
      !_buzon_store_migrate (&self->writer, error))
    return FALSE;

  if (!conn_open (&self->reader, self->path, TRUE, error))
    return FALSE;

  self->write_pool = g_thread_pool_new (write_pool_func, self, 1, FALSE, NULL);

  return TRUE;
}

static void
buzon_store_initable_iface_init (GInitableIface *iface)
{
  iface->init = buzon_store_initable_init;
}

static void
buzon_store_class_init (BuzonStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = buzon_store_dispose;
  object_class->finalize = buzon_store_finalize;
  object_class->get_property = buzon_store_get_property;
  object_class->set_property = buzon_store_set_property;

  /**
   * BuzonStore:path:
   *
   * The database file; %NULL at construction means buzon_store_default_path().
   */
  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * BuzonStore::accounts-changed:
   *
   * An account was added, changed or removed.
   */
  signals[BUZON_STORE_SIGNAL_ACCOUNTS_CHANGED] =
    g_signal_new ("accounts-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * BuzonStore::folders-changed:
   * @account_id: the account whose folder list changed
   *
   * A folder of @account_id was added, renamed, deleted or changed.
   */
  signals[BUZON_STORE_SIGNAL_FOLDERS_CHANGED] =
    g_signal_new ("folders-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  /**
   * BuzonStore::messages-changed:
   * @folder_id: the folder whose messages changed
   *
   * Messages of @folder_id were added, changed or removed; its counts may
   * have changed too.
   */
  signals[BUZON_STORE_SIGNAL_MESSAGES_CHANGED] =
    g_signal_new ("messages-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  /**
   * BuzonStore::outbox-changed:
   *
   * A message was queued for sending, attempted, sent or removed.
   */
  signals[BUZON_STORE_SIGNAL_OUTBOX_CHANGED] =
    g_signal_new ("outbox-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * BuzonStore::quota-changed:
   * @account_id: the account whose quota changed
   *
   * The storage quota stored for @account_id changed, became known or was
   * forgotten; read it with buzon_store_get_account_quota().
   */
  signals[BUZON_STORE_SIGNAL_QUOTA_CHANGED] =
    g_signal_new ("quota-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
}

static void
buzon_store_init (BuzonStore *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->changes = g_array_new (FALSE, FALSE, sizeof (BuzonStoreChange));
  conn_init (&self->writer);
  conn_init (&self->reader);
}

/* Public API */

/**
 * buzon_store_default_path:
 *
 * Returns: (transfer full): `$XDG_DATA_HOME/buzon/buzon.db`
 */
char *
buzon_store_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "buzon", "buzon.db", NULL);
}

/**
 * buzon_store_open:
 * @path: (nullable): the database file, or %NULL for buzon_store_default_path()
 * @error: return location for an error
 *
 * Opens the store, creating it if needed and upgrading it to the current
 * format. A store written by a newer Buzón is refused with
 * %BUZON_STORE_ERROR_NEWER_VERSION; a file that is not a Buzón store with
 * %BUZON_STORE_ERROR_CORRUPT.
 *
 * Signals are emitted on the thread-default main context of the caller.
 *
 * Returns: (transfer full) (nullable): the store, or %NULL with @error set
 */
BuzonStore *
buzon_store_open (const char  *path,
                  GError     **error)
{
  return g_initable_new (BUZON_TYPE_STORE, NULL, error, "path", path, NULL);
}

/**
 * buzon_store_get_path:
 *
 * Returns: the database file
 */
const char *
buzon_store_get_path (BuzonStore *self)
{
  g_return_val_if_fail (BUZON_IS_STORE (self), NULL);

  return self->path;
}

/* Accounts */

#define ACCOUNT_COLUMNS \
  "name, display_name, address, protocol, host, port, security, username, password_command, " \
  "pop3_mode, pop3_keep_days, sync_policy, sync_days, smtp_host, smtp_port, smtp_security, " \
  "smtp_username, save_sent, signature"

static const char *
enum_to_nick (GType type,
              int   value)
{
  GEnumClass *klass = g_type_class_ref (type);
  GEnumValue *enum_value = g_enum_get_value (klass, value);
  const char *nick = enum_value != NULL ? enum_value->value_nick : NULL;

  /* The nicks are static strings; they outlive the class reference. */
  g_type_class_unref (klass);

  return nick;
}

static int
enum_from_nick (GType       type,
                const char *nick,
                int         fallback)
{
  GEnumClass *klass = g_type_class_ref (type);
  GEnumValue *enum_value = nick != NULL ? g_enum_get_value_by_nick (klass, nick) : NULL;
  int value = enum_value != NULL ? enum_value->value : fallback;

  g_type_class_unref (klass);

  return value;
}

/* Binds ACCOUNT_COLUMNS to ?1…?19. The properties hold what was set (NULL
 * or 0 when unset); the getters substitute defaults (standard ports, the
 * address as user name), which must not be frozen into the row. The text is
 * copied: username and smtp_username are freed when this returns, before
 * the statement runs. */
static void
bind_account (BuzonStmt    *stmt,
              BuzonAccount *account)
{
  g_autofree char *username = NULL;
  g_autofree char *smtp_username = NULL;
  guint port = 0;
  guint smtp_port = 0;

  g_object_get (account,
                "port", &port,
                "smtp-port", &smtp_port,
                "username", &username,
                "smtp-username", &smtp_username,
                NULL);

  _buzon_bind_text (stmt, 1, buzon_account_get_name (account));
  _buzon_bind_text (stmt, 2, buzon_account_get_display_name (account));
  _buzon_bind_text (stmt, 3, buzon_account_get_address (account));
  _buzon_bind_text (stmt, 4, enum_to_nick (BUZON_TYPE_PROTOCOL,
                                           buzon_account_get_protocol (account)));
  _buzon_bind_text (stmt, 5, buzon_account_get_host (account));
  sqlite3_bind_int64 (stmt, 6, port);
  _buzon_bind_text (stmt, 7, enum_to_nick (BUZON_TYPE_SECURITY,
                                           buzon_account_get_security (account)));
  _buzon_bind_text (stmt, 8, username);
  _buzon_bind_text (stmt, 9, buzon_account_get_password_command (account));
  _buzon_bind_text (stmt, 10, enum_to_nick (BUZON_TYPE_POP3_MODE,
                                            buzon_account_get_pop3_mode (account)));
  sqlite3_bind_int64 (stmt, 11, buzon_account_get_pop3_keep_days (account));
  _buzon_bind_text (stmt, 12, enum_to_nick (BUZON_TYPE_SYNC_POLICY,
                                            buzon_account_get_sync_policy (account)));
  sqlite3_bind_int64 (stmt, 13, buzon_account_get_sync_days (account));
  _buzon_bind_text (stmt, 14, buzon_account_get_smtp_host (account));
  sqlite3_bind_int64 (stmt, 15, smtp_port);
  _buzon_bind_text (stmt, 16, enum_to_nick (BUZON_TYPE_SECURITY,
                                            buzon_account_get_smtp_security (account)));
  _buzon_bind_text (stmt, 17, smtp_username);
  sqlite3_bind_int (stmt, 18, buzon_account_get_save_sent (account) ? 1 : 0);
  _buzon_bind_text (stmt, 19, buzon_account_get_signature (account));
}

/* Reads "id, " ACCOUNT_COLUMNS into a new BuzonAccount. */
static gpointer
account_from_row (BuzonStmt *stmt)
{
  const char *name = (const char *)sqlite3_column_text (stmt, 1);
  BuzonAccount *account = buzon_account_new (name);

#define COL_TEXT(i) ((const char *)sqlite3_column_text (stmt, (i)))
#define COL_UINT(i) ((guint)CLAMP (sqlite3_column_int64 (stmt, (i)), 0, G_MAXUINT))

  buzon_account_set_id (account, sqlite3_column_int64 (stmt, 0));
  buzon_account_set_display_name (account, COL_TEXT (2));
  buzon_account_set_address (account, COL_TEXT (3));
  buzon_account_set_protocol (account, enum_from_nick (BUZON_TYPE_PROTOCOL, COL_TEXT (4),
                                                       BUZON_PROTOCOL_IMAP));
  buzon_account_set_host (account, COL_TEXT (5));
  buzon_account_set_port (account, MIN (COL_UINT (6), 65535));
  buzon_account_set_security (account, enum_from_nick (BUZON_TYPE_SECURITY, COL_TEXT (7),
                                                       BUZON_SECURITY_TLS));
  buzon_account_set_username (account, COL_TEXT (8));
  buzon_account_set_password_command (account, COL_TEXT (9));
  buzon_account_set_pop3_mode (account, enum_from_nick (BUZON_TYPE_POP3_MODE, COL_TEXT (10),
                                                        BUZON_POP3_MODE_KEEP));
  buzon_account_set_pop3_keep_days (account, COL_UINT (11));
  buzon_account_set_sync_policy (account, enum_from_nick (BUZON_TYPE_SYNC_POLICY, COL_TEXT (12),
                                                          BUZON_SYNC_POLICY_HEADERS));
  buzon_account_set_sync_days (account, COL_UINT (13));
  buzon_account_set_smtp_host (account, COL_TEXT (14));
  buzon_account_set_smtp_port (account, MIN (COL_UINT (15), 65535));
  buzon_account_set_smtp_security (account, enum_from_nick (BUZON_TYPE_SECURITY, COL_TEXT (16),
                                                            BUZON_SECURITY_STARTTLS));
  buzon_account_set_smtp_username (account, COL_TEXT (17));
  buzon_account_set_save_sent (account, sqlite3_column_int (stmt, 18) != 0);
  buzon_account_set_signature (account, COL_TEXT (19));

#undef COL_TEXT
#undef COL_UINT

  return account;
}

#define ACCOUNT_EXISTS N_("There is already an account named “%s”. Choose another name.")
#define NO_ACCOUNT     N_("There is no account named “%s”.")

static gboolean
set_no_account_error (const char  *name,
                      GError     **error)
{
  g_set_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND,
               _(NO_ACCOUNT), name != NULL ? name : "");
  return FALSE;
}

/* Validates @account and runs @sql, an INSERT or UPDATE that takes
 * ACCOUNT_COLUMNS as ?1…?19 and @param20 as ?20, as a transaction. A taken
 * name is %BUZON_STORE_ERROR_EXISTS, an UPDATE of no row _NOT_FOUND.
 * @out_id (optional) gets the id of the row an INSERT added. */
static gboolean
save_account (BuzonStore    *self,
              BuzonAccount  *account,
              const char    *sql,
              gint64         param20,
              gint64        *out_id,
              GError       **error)
{
  BuzonStoreConn *w;
  gboolean ok;

  if (!buzon_account_validate (account, error))
    return FALSE;

  if ((w = _buzon_store_write_begin (self, FALSE, error)) == NULL)
    return FALSE;

  {
    g_autoptr(BuzonStmt) stmt = _buzon_store_prepare (w, sql, error);

    ok = stmt != NULL;
    if (ok)
      {
        bind_account (stmt, account);
        sqlite3_bind_int64 (stmt, 20, param20);
        ok = _buzon_store_step_unique (w, stmt, error, ACCOUNT_EXISTS,
                                       buzon_account_get_name (account));
      }
    if (ok && sqlite3_changes (w->db) == 0)
      ok = set_no_account_error (buzon_account_get_name (account), error);
    if (ok && out_id != NULL)
      *out_id = sqlite3_last_insert_rowid (w->db);
  }

  if (ok)
    _buzon_store_note_change (self, BUZON_STORE_SIGNAL_ACCOUNTS_CHANGED, 0);

  return _buzon_store_write_end (self, ok, error);
}

/**
 * buzon_store_add_account:
 * @account: a valid account (see buzon_account_validate())
 * @error: return location for an error
 *
 * Saves a new account and sets its id. Emits #BuzonStore::accounts-changed.
 *
 * Returns: %TRUE on success; %FALSE with %BUZON_STORE_ERROR_EXISTS if the
 *   name is taken, or the error of buzon_account_validate()
 */
gboolean
buzon_store_add_account (BuzonStore    *self,
                         BuzonAccount  *account,
                         GError       **error)
{
  gint64 id = 0;

  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (BUZON_IS_ACCOUNT (account), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!save_account (self, account,
                     "INSERT INTO accounts (" ACCOUNT_COLUMNS ", created) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
                     "?14, ?15, ?16, ?17, ?18, ?19, ?20)",
                     _buzon_store_now (), &id, error))
    return FALSE;

  buzon_account_set_id (account, id);

  return TRUE;
}

/**
 * buzon_store_update_account:
 * @account: an account from the store, changed
 * @error: return location for an error
 *
 * Saves every setting of @account over the stored account with its id
 * (which may rename it). Emits #BuzonStore::accounts-changed.
 *
 * Returns: %TRUE on success; %FALSE with %BUZON_STORE_ERROR_NOT_FOUND if no
 *   account has that id, %BUZON_STORE_ERROR_EXISTS if the new name is taken
 */
gboolean
buzon_store_update_account (BuzonStore    *self,
                            BuzonAccount  *account,
                            GError       **error)
{
  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (BUZON_IS_ACCOUNT (account), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (buzon_account_get_id (account) <= 0)
    return set_no_account_error (buzon_account_get_name (account), error);

  return save_account (self, account,
                       "UPDATE accounts SET (" ACCOUNT_COLUMNS ") = "
                       "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
                       "?14, ?15, ?16, ?17, ?18, ?19) WHERE id = ?20",
                       buzon_account_get_id (account), NULL, error);
}

/**
 * buzon_store_list_accounts:
 * @error: return location for an error
 *
 * Returns: (element-type BuzonAccount) (transfer container) (nullable): the
 *   accounts ordered by id. The array owns its accounts (it frees them with
 *   g_object_unref()), so g_ptr_array_unref() releases everything.
 */
GPtrArray *
buzon_store_list_accounts (BuzonStore  *self,
                           GError     **error)
{
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _buzon_store_read_begin (self, "SELECT id, " ACCOUNT_COLUMNS " FROM accounts ORDER BY id",
                                  error);
  if (stmt == NULL)
    return NULL;

  return _buzon_store_read_rows (self, stmt, account_from_row, g_object_unref, error);
}

/**
 * buzon_store_lookup_account:
 * @name: the account's name
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the account, or %NULL with
 *   %BUZON_STORE_ERROR_NOT_FOUND
 */
BuzonAccount *
buzon_store_lookup_account (BuzonStore  *self,
                            const char  *name,
                            GError     **error)
{
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _buzon_store_read_begin (self, "SELECT id, " ACCOUNT_COLUMNS " FROM accounts "
                                        "WHERE name = ?1",
                                  error);
  if (stmt == NULL)
    return NULL;

  _buzon_bind_text (stmt, 1, name);

  return _buzon_store_read_row (self, stmt, account_from_row, error, NO_ACCOUNT, name);
}

/**
 * buzon_store_remove_account:
 * @name: the account's name
 * @error: return location for an error
 *
 * Removes the account with everything stored for it: folders, messages,
 * bodies, POP3 UIDLs, pending operations and unsent mail, in one
 * transaction. Passwords in the keyring are not the store's; see
 * buzon_secrets_clear_passwords(). Emits #BuzonStore::accounts-changed.
 *
 * Returns: %TRUE on success; %FALSE with %BUZON_STORE_ERROR_NOT_FOUND if
 *   there is no such account
 */
gboolean
buzon_store_remove_account (BuzonStore  *self,
                            const char  *name,
                            GError     **error)
{
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = _buzon_store_write_stmt_begin (self, "DELETE FROM accounts WHERE name = ?1", error);
  if (stmt == NULL)
    return FALSE;

  _buzon_bind_text (stmt, 1, name);
  _buzon_store_note_change (self, BUZON_STORE_SIGNAL_ACCOUNTS_CHANGED, 0);

  return _buzon_store_write_stmt_end (self, stmt, error, NO_ACCOUNT, name);
}

static void
list_accounts_worker (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *accounts = buzon_store_list_accounts (source_object, &error);

  if (accounts == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, accounts, (GDestroyNotify)g_ptr_array_unref);
}

/**
 * buzon_store_list_accounts_async:
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the list is ready
 * @user_data: data for @callback
 *
 * Reads the accounts in a worker thread.
 */
void
buzon_store_list_accounts_async (BuzonStore          *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BUZON_IS_STORE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_store_list_accounts_async));
  g_task_run_in_thread (task, list_accounts_worker);
}

/**
 * buzon_store_list_accounts_finish:
 *
 * Returns: (element-type BuzonAccount) (transfer container) (nullable): as
 *   buzon_store_list_accounts()
 */
GPtrArray *
buzon_store_list_accounts_finish (BuzonStore    *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (BUZON_IS_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        BUZON_SOURCE_TAG (buzon_store_list_accounts_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Quota */

typedef struct
{
  gboolean found;
  gint64   usage;
  gint64   limit;
  gint64   updated;
} QuotaRow;

static void
quota_row_cb (BuzonStmt *stmt,
              gpointer   user_data)
{
  QuotaRow *row = user_data;

  row->found = TRUE;
  row->usage = sqlite3_column_int64 (stmt, 0);
  row->limit = sqlite3_column_int64 (stmt, 1);
  row->updated = sqlite3_column_int64 (stmt, 2);
}

/* Whether the account's stored quota is @usage of @limit; with @limit 0,
 * whether none is stored. On the writer, inside its transaction. */
static gboolean
quota_is_locked (BuzonStoreConn  *w,
                 gint64           account_id,
                 gint64           usage,
                 gint64           limit,
                 gboolean        *out_same,
                 GError         **error)
{
  g_autoptr(BuzonStmt) stmt = NULL;
  gboolean row;

  stmt = _buzon_store_prepare (w, "SELECT usage_bytes, limit_bytes FROM account_quotas "
                                  "WHERE account_id = ?1",
                               error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, account_id);
  if (!_buzon_store_step_row (w, stmt, &row, error))
    return FALSE;

  if (!row)
    *out_same = limit == 0;
  else
    *out_same = limit != 0 && sqlite3_column_int64 (stmt, 0) == usage &&
                sqlite3_column_int64 (stmt, 1) == limit;

  return TRUE;
}

/**
 * buzon_store_set_account_quota:
 * @account_id: the account
 * @usage: the storage used, in bytes
 * @limit: the storage limit, in bytes; 0 forgets the quota, as
 *   buzon_store_clear_account_quota() does
 * @error: return location for an error
 *
 * Stores what the server last reported of the account's storage quota
 * (RFC 9208 STORAGE; IMAP reports KiB, the caller converts to bytes). When
 * the numbers differ from those stored, @updated (see
 * buzon_store_get_account_quota()) becomes now and
 * #BuzonStore::quota-changed is emitted; the same numbers again change
 * nothing.
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_store_set_account_quota (BuzonStore  *self,
                               gint64       account_id,
                               guint64      usage,
                               guint64      limit,
                               GError     **error)
{
  BuzonStoreConn *w;
  gboolean same = FALSE;
  gboolean ok;

  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (account_id > 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* SQLite integers are signed; no mailbox holds 8 EiB. */
  usage = MIN (usage, (guint64)G_MAXINT64);
  limit = MIN (limit, (guint64)G_MAXINT64);

  if ((w = _buzon_store_write_begin (self, FALSE, error)) == NULL)
    return FALSE;

  ok = quota_is_locked (w, account_id, (gint64)usage, (gint64)limit, &same, error);
  if (ok && !same)
    {
      g_autoptr(BuzonStmt) stmt = NULL;

      if (limit == 0)
        stmt = _buzon_store_prepare (w, "DELETE FROM account_quotas WHERE account_id = ?1",
                                     error);
      else
        stmt = _buzon_store_prepare (w, "INSERT INTO account_quotas "
                                        "(account_id, usage_bytes, limit_bytes, updated) "
                                        "VALUES (?1, ?2, ?3, ?4) "
                                        "ON CONFLICT (account_id) DO UPDATE SET "
                                        "usage_bytes = excluded.usage_bytes, "
                                        "limit_bytes = excluded.limit_bytes, "
                                        "updated = excluded.updated",
                                     error);
      ok = stmt != NULL;
      if (ok)
        {
          sqlite3_bind_int64 (stmt, 1, account_id);
          if (limit != 0)
            {
              sqlite3_bind_int64 (stmt, 2, (gint64)usage);
              sqlite3_bind_int64 (stmt, 3, (gint64)limit);
              sqlite3_bind_int64 (stmt, 4, _buzon_store_now ());
            }
          ok = _buzon_store_step_done (w, stmt, error);
        }
      if (ok)
        _buzon_store_note_change (self, BUZON_STORE_SIGNAL_QUOTA_CHANGED, account_id);
    }

  return _buzon_store_write_end (self, ok, error);
}

/**
 * buzon_store_clear_account_quota:
 * @account_id: the account
 * @error: return location for an error
 *
 * Forgets the account's quota, for when the server no longer offers QUOTA
 * or has no STORAGE limit: it becomes unknown. Emits
 * #BuzonStore::quota-changed if one was stored.
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_store_clear_account_quota (BuzonStore  *self,
                                 gint64       account_id,
                                 GError     **error)
{
  return buzon_store_set_account_quota (self, account_id, 0, 0, error);
}

/**
 * buzon_store_get_account_quota:
 * @account_id: the account
 * @out_usage: (out) (optional): the storage used, in bytes
 * @out_limit: (out) (optional): the storage limit, in bytes (never 0)
 * @out_updated: (out) (optional): when these numbers were stored, in seconds
 *   since 1970 (the sync stores them only when they change, so this is when
 *   they last changed)
 * @error: return location for an error
 *
 * Reads the account's storage quota as buzon_store_set_account_quota()
 * stored it. The outputs are 0 when there is none.
 *
 * Returns: %TRUE if a quota is known; %FALSE without @error set when it is
 *   not (never read, or forgotten), %FALSE with @error when reading failed
 */
gboolean
buzon_store_get_account_quota (BuzonStore  *self,
                               gint64       account_id,
                               guint64     *out_usage,
                               guint64     *out_limit,
                               gint64      *out_updated,
                               GError     **error)
{
  BuzonStmt *stmt;
  QuotaRow row = { 0 };

  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (out_usage != NULL)
    *out_usage = 0;
  if (out_limit != NULL)
    *out_limit = 0;
  if (out_updated != NULL)
    *out_updated = 0;

  stmt = _buzon_store_read_begin (self, "SELECT usage_bytes, limit_bytes, updated "
                                        "FROM account_quotas WHERE account_id = ?1",
                                  error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, account_id);
  if (!_buzon_store_read_each (self, stmt, quota_row_cb, &row, error) || !row.found)
    return FALSE;

  if (out_usage != NULL)
    *out_usage = (guint64)MAX (row.usage, 0);
  if (out_limit != NULL)
    *out_limit = (guint64)MAX (row.limit, 0);
  if (out_updated != NULL)
    *out_updated = row.updated;

  return TRUE;
}
