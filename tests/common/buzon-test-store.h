/* buzon-test-store.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "buzon-store.h"

G_BEGIN_DECLS

/**
 * BuzonTestStore:
 * @dir: a fresh temporary directory, the test's own
 * @store: the store, buzon.db in @dir
 *
 * A store of its own for one test (pins, accounts, a sync engine's state).
 * buzon_test_store_free() drops @store, waiting until its worker threads let
 * it go, and removes @dir with all in it.
 */
typedef struct
{
  char       *dir;
  BuzonStore *store;
} BuzonTestStore;

BuzonTestStore *buzon_test_store_new   (const char     *tmpl) G_GNUC_WARN_UNUSED_RESULT;
void            buzon_test_store_free  (BuzonTestStore *self);

void            buzon_test_remove_tree (const char     *path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonTestStore, buzon_test_store_free)

G_END_DECLS
