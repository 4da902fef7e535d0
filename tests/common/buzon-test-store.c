/* buzon-test-store.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "buzon-test-store"

#include "config.h"

#include <glib/gstdio.h>

#include "buzon-test-async.h"
#include "buzon-test-store.h"

/**
 * buzon_test_remove_tree:
 * @path: a file or a directory
 *
 * Removes @path and, if it is a directory, all in it. What cannot be removed
 * (or is not there) is left as it is.
 */
void
buzon_test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_unlink (path);
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      buzon_test_remove_tree (child);
    }
  g_rmdir (path);
}

/**
 * buzon_test_store_new:
 * @tmpl: the name of the directory, for g_dir_make_tmp():
 *   "buzon-net-store-XXXXXX"
 *
 * Opens a new store in a new temporary directory. Fails the test if it
 * cannot.
 *
 * Returns: (transfer full): the store and its directory
 */
BuzonTestStore *
buzon_test_store_new (const char *tmpl)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  BuzonTestStore *self = g_new0 (BuzonTestStore, 1);

  self->dir = g_dir_make_tmp (tmpl, &error);
  g_assert_no_error (error);
  path = g_build_filename (self->dir, "buzon.db", NULL);
  self->store = buzon_store_open (path, &error);
  g_assert_no_error (error);

  return self;
}

/**
 * buzon_test_store_free:
 * @self: (nullable) (transfer full): the store and its directory
 *
 * Drops the store, the test's last reference (buzon_test_finalize_object():
 * its worker threads may hold one for a moment, and one left after that is a
 * leak), then removes the directory.
 */
void
buzon_test_store_free (BuzonTestStore *self)
{
  if (self == NULL)
    return;

  if (self->store != NULL)
    buzon_test_finalize_object (g_steal_pointer (&self->store));
  buzon_test_remove_tree (self->dir);
  g_free (self->dir);
  g_free (self);
}
