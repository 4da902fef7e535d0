/* buzon-store-migrate.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Schema migrations. The schema is the sum of the numbered scripts
 * data/sql/version-001.sql, -002, … compiled into the store library as a
 * GResource; `PRAGMA user_version` records how many have been applied. On
 * open, each missing script runs in order, in its own exclusive transaction
 * together with its post-upgrade hook and the new user_version, so a crash
 * mid-upgrade leaves the file at the previous version, intact, and the next
 * open resumes. A file with a user_version we do not know was written by a
 * newer Buzón and is refused: guessing at a newer format could lose mail.
 */

#define G_LOG_DOMAIN "buzon-store"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "buzon-store-private.h"
#include "buzon-store-resources.h"

static gboolean
resource_has_script (guint version)
{
  g_autofree char *path = g_strdup_printf (BUZON_STORE_SQL_RESOURCE_DIR "version-%03u.sql",
                                           version);

  return g_resource_get_info (_buzon_store_sql_get_resource (), path,
                              G_RESOURCE_LOOKUP_FLAGS_NONE, NULL, NULL, NULL);
}

/* The number of scripts shipped: the schema version this build writes. */
guint
_buzon_store_latest_version (void)
{
  static gsize latest = 0;

  if (g_once_init_enter (&latest))
    {
      guint n = 0;

      while (resource_has_script (n + 1))
        n++;

      g_assert (n > 0);
      g_once_init_leave (&latest, n);
    }

  return (guint)latest;
}

GBytes *
_buzon_store_load_script (guint    version,
                          GError **error)
{
  g_autofree char *path = g_strdup_printf (BUZON_STORE_SQL_RESOURCE_DIR "version-%03u.sql",
                                           version);

  return g_resource_lookup_data (_buzon_store_sql_get_resource (), path,
                                 G_RESOURCE_LOOKUP_FLAGS_NONE, error);
}

/* Code-only fixes that belong to a schema version (recomputing something,
 * repairing data an older Buzón wrote badly). They run right after that
 * version's script, in the same transaction. A version that only needs a
 * hook ships a script holding just its why-comment. */
static gboolean
run_post_upgrade (BuzonStoreConn  *conn,
                  guint            version,
                  GError         **error)
{
  switch (version)
    {
    case 3:
      /* Thread the messages an older Buzón stored (version-003.sql). */
      return _buzon_store_thread_all_locked (conn, error);

    default:
      return TRUE;
    }
}

static gboolean
query_int (BuzonStoreConn  *conn,
           const char      *sql,
           gint64          *out_value,
           GError         **error)
{
  g_autoptr(BuzonStmt) stmt = _buzon_store_prepare (conn, sql, error);
  gboolean row;

  if (stmt == NULL || !_buzon_store_step_row (conn, stmt, &row, error))
    return FALSE;

  *out_value = row ? sqlite3_column_int64 (stmt, 0) : 0;

  return TRUE;
}

static gboolean
set_not_ours_error (BuzonStoreConn  *conn,
                    GError         **error)
{
  g_set_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_CORRUPT,
               _("“%s” is not a Buzón mail store. Buzón will not change it."), conn->path);
  return FALSE;
}

/* Checks the version and that the file is ours. *out_current is TRUE when
 * nothing needs doing. */
static gboolean
check_version (BuzonStoreConn  *conn,
               gint64           version,
               gboolean        *out_current,
               GError         **error)
{
  guint latest = _buzon_store_latest_version ();
  gint64 value;

  *out_current = FALSE;

  if (version < 0)
    return set_not_ours_error (conn, error);

  if (version == 0)
    {
      /* A file with tables but no version is somebody else's database. */
      if (!query_int (conn, "SELECT count(*) FROM sqlite_schema", &value, error))
        return FALSE;
      if (value > 0)
        return set_not_ours_error (conn, error);

      return TRUE;
    }

  if (!query_int (conn, "PRAGMA application_id", &value, error))
    return FALSE;
  if (value != BUZON_STORE_APPLICATION_ID)
    return set_not_ours_error (conn, error);

  if (version > latest)
    {
      g_set_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NEWER_VERSION,
                   _("This mail store was written by a newer version of Buzón (format %u); "
                     "this version understands up to %u. Update Buzón to open it."),
                   (guint)MIN (version, G_MAXUINT), latest);
      return FALSE;
    }

  *out_current = version == latest;

  return TRUE;
}

static gboolean
apply_script (BuzonStoreConn  *conn,
              guint            version,
              GError         **error)
{
  g_autoptr(GBytes) script = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *set_version = NULL;
  gsize size;
  const char *data;

  g_debug ("Upgrading %s to format %u", conn->path, version);

  script = _buzon_store_load_script (version, error);
  if (script == NULL)
    return FALSE;

  data = g_bytes_get_data (script, &size);
  sql = g_strndup (data, size);

  if (!_buzon_store_exec (conn, sql, error) || !run_post_upgrade (conn, version, error))
    return FALSE;

  set_version = g_strdup_printf ("PRAGMA user_version = %u", version);

  return _buzon_store_exec (conn, set_version, error);
}

/* Brings the database behind @conn, the writer, to the latest version. */
gboolean
_buzon_store_migrate (BuzonStoreConn  *conn,
                      GError         **error)
{
  gint64 version;
  gboolean current;

  /* The common case, an up-to-date store, takes no write lock. A new file
   * (version 0) is only judged inside the lock: another Buzón may be
   * creating its tables right now. */
  if (!query_int (conn, "PRAGMA user_version", &version, error))
    return FALSE;

  current = FALSE;
  if (version != 0 && !check_version (conn, version, &current, error))
    return FALSE;

  while (!current)
    {
      gboolean ok;

      /* Exclusive: a second Buzón opening the same file waits here, then
       * sees the version this one wrote and has nothing left to do. */
      if (!_buzon_store_exec (conn, "BEGIN EXCLUSIVE", error))
        return FALSE;

      ok = query_int (conn, "PRAGMA user_version", &version, error) &&
           check_version (conn, version, &current, error);

      if (ok && !current)
        ok = apply_script (conn, (guint)version + 1, error);

      if (ok)
        ok = _buzon_store_exec (conn, "COMMIT", error);

      if (!ok)
        {
          if (!sqlite3_get_autocommit (conn->db))
            _buzon_store_exec (conn, "ROLLBACK", NULL);
          return FALSE;
        }
    }

  return TRUE;
}
